import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { backendPlan, setBackendPlan } from './backend-plan';
import { readOnHost, tensorFromHost } from './host-memory';

describe('host memory', () => {
  afterAll(async () => {
    setBackendPlan('cpu', undefined);
    await tf.setBackend('cpu');
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`reads and writes tensors on ${backend}`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory();
      const t = tf.tensor2d([1, -2, 3.5, 4, 5, 6], [2, 3]);
      expect(Array.from(readOnHost(t))).toEqual([1, -2, 3.5, 4, 5, 6]);
      const written = tensorFromHost([2, 2], (values) => {
        // Handed out as zeros: callers that write a subset rely on it.
        expect(Array.from(values)).toEqual([0, 0, 0, 0]);
        values[1] = 7;
        values[2] = -1;
      });
      expect(written.shape).toEqual([2, 2]);
      expect(written.dtype).toBe('float32');
      expect(Array.from(await written.data())).toEqual([0, 7, -1, 0]);
      // The new tensor takes part in tfjs's bookkeeping: ops read it, dispose frees it.
      const doubled = tf.mul(written, 2);
      expect(Array.from(await doubled.data())).toEqual([0, 14, -2, 0]);
      tf.dispose([t, written, doubled]);
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numBytes).toBe(before.numBytes);
    });
  }

  it('views the wasm heap instead of copying it', async () => {
    await tf.setBackend('wasm');
    expect(backendPlan().hostMemory).toBe('heap-view');
    const t = tf.tensor1d([1, 2, 3]);
    const view = readOnHost(t);
    expect(view.buffer).not.toBe((t.dataSync() as Float32Array).buffer);
    // The view is the tensor's own memory: what the host writes there, the tensor holds.
    view[0] = 9;
    expect(Array.from(t.dataSync())).toEqual([9, 2, 3]);
    t.dispose();
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`frees the new tensor's memory on ${backend} when the writer throws`, async () => {
      await tf.setBackend(backend);
      const before = { tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() };
      expect(() =>
        tensorFromHost([4, 4], () => {
          throw new Error('writer failed');
        }),
      ).toThrow('writer failed');
      expect(tf.memory().numTensors).toBe(before.tensors);
      expect(tf.engine().backend.numDataIds()).toBe(before.data);
    });
  }

  it('says when a backend has no heap to view', async () => {
    await tf.setBackend('cpu');
    setBackendPlan('cpu', { hostMemory: 'heap-view' });
    const t = tf.tensor1d([1]);
    expect(() => readOnHost(t)).toThrow(/backend 'cpu' has no heap to view/);
    t.dispose();
    setBackendPlan('cpu', undefined);
  });
});
