import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './backend';

/** The input gradient of max pooling on the active backend, for a fixed upstream gradient. */
function poolGrad(
  x: number[],
  shape: number[],
  pool: number,
  stride: number,
  pad: number,
  seed: number,
): number[] {
  return tf.tidy(() => {
    const input = tf.tensor4d(x, shape as [number, number, number, number]);
    const f = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, pool, stride, pad, 'floor');
    const dy = tf.randomNormal(f(input).shape, 0, 1, 'float32', seed);
    return Array.from(
      tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(input)
        .dataSync(),
    );
  });
}

describe("wasm's MaxPoolGrad on the host", () => {
  it('equals the cpu kernel (first maximum of each window) with padding, negative windows and ties', async () => {
    const cases = [
      { shape: [2, 9, 9, 5], pool: 3, stride: 2, pad: 1 }, // ResNet's stem pool, odd size
      { shape: [1, 13, 13, 3], pool: 3, stride: 2, pad: 0 }, // AlexNet's pools
      { shape: [2, 6, 6, 4], pool: 2, stride: 2, pad: 0 },
    ];
    for (const [i, c] of cases.entries()) {
      const size = c.shape.reduce((a, b) => a * b);
      // Negative values, and every third value rounded so that windows hold ties.
      const x = Array.from(tf.randomNormal([size], -0.5, 1, 'float32', 10 + i).dataSync()).map((v, k) =>
        k % 3 === 0 ? Math.round(v) : v,
      );
      await tf.setBackend('cpu');
      const expected = poolGrad(x, c.shape, c.pool, c.stride, c.pad, 20 + i);
      await selectBackend('wasm');
      const before = tf.memory().numTensors;
      const got = poolGrad(x, c.shape, c.pool, c.stride, c.pad, 20 + i);
      // Overlapping windows sum into a cell in another order than the cpu kernel's: float rounding only.
      expect(got.length).toBe(expected.length);
      expect(Math.max(...got.map((v, k) => Math.abs(v - expected[k])))).toBeLessThan(1e-6);
      expect(got.filter((v) => v !== 0).length).toBe(expected.filter((v) => v !== 0).length);
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
