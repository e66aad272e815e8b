import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { asymmetricDense } from '../ops/asymmetric-dense';
import { withAlignmentProbe } from './alignment-probe';
import { AlignmentRecorder } from './alignment-recorder';
import { angleBetween, angleTensor } from './angles';

describe('alignment metrics', () => {
  it('angleBetween: hand-computed angles', () => {
    expect(angleBetween(tf.tensor1d([1, 0]), tf.tensor1d([0, 2]))).toBeCloseTo(90, 5);
    expect(angleBetween(tf.tensor1d([1, 1]), tf.tensor1d([2, 0]))).toBeCloseTo(45, 4);
    expect(angleBetween(tf.tensor2d([[1, 2]]), tf.tensor2d([[-1, -2]]))).toBeCloseTo(180, 3);
  });

  it('angleTensor: hand-computed angles on the backend, accurate near 0 and 180 degrees in float32', async () => {
    const angle = async (a: number[], b: number[]) => {
      const t = angleTensor(tf.tensor1d(a), tf.tensor1d(b));
      const [v] = await t.data();
      t.dispose();
      return v;
    };
    expect(await angle([1, 0], [0, 2])).toBeCloseTo(90, 5);
    expect(await angle([1, 1], [2, 0])).toBeCloseTo(45, 4);
    // atan(1e-4) = 5.72958e-3 degrees; acos of the float32 cosine (1 - 5e-9 rounds to 1) would give 0.
    expect(await angle([1, 0], [1, 1e-4])).toBeCloseTo(5.72958e-3, 7);
    expect(await angle([1, 0], [-1, 1e-4])).toBeCloseTo(180 - 5.72958e-3, 4);
    expect(await angle([0, 0], [1, 2])).toBe(90);
  });

  it('records B-vs-W and dx-vs-bp-dx angles during a backward pass, read back once', async () => {
    // W = I and B = [[1, 1], [0, 1]] ([in, out]): angle(B, W) = acos(2 / (sqrt(3) * sqrt(2))) = 35.26 deg.
    // For dy = [0, 1]: backprop dx = dy W^T = [0, 1]; the rule's dx = dy B^T = [1, 1]: 45 deg apart.
    const k = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const b = tf.tensor2d([
      [1, 1],
      [0, 1],
    ]);
    const x = tf.tensor2d([[0.3, -0.2]]);
    const recorder = new AlignmentRecorder();
    withAlignmentProbe(recorder, () => {
      tf.grad((xx: tf.Tensor) => asymmetricDense(xx as tf.Tensor2D, k, b, undefined, { name: 'fc' }))(
        x,
        tf.tensor2d([[0, 1]]),
      );
    });
    expect(() => recorder.layers).toThrow('call `await recorder.read()` first');
    const before = tf.memory().numTensors;
    const layers = await recorder.read();
    expect(tf.memory().numTensors).toBe(before - 1); // the kept angles are freed
    expect(recorder.layers).toBe(layers);
    expect(layers).toHaveLength(1);
    const [rec] = layers;
    expect(rec.layer).toBe('fc');
    expect(rec.feedbackAngle).toBeCloseTo(35.2644, 3);
    expect(rec.dxAngle).toBeCloseTo(45, 4);
  });
});
