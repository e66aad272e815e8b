import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './backend';

/** tf.sign on the active backend. */
function signOf(values: number[], dtype: 'float32' | 'int32' = 'float32'): number[] {
  return tf.tidy(() => Array.from(tf.sign(tf.tensor1d(values, dtype)).dataSync()));
}

describe("wasm's Sign", () => {
  it('is exactly +-1 for every non-zero float, 0 for zeros, as the cpu kernel', async () => {
    const random = Array.from(tf.randomNormal([5000], 0, 1, 'float32', 3).dataSync());
    // Below float32's epsilon (wasm's own kernel gives 0 there), subnormals (1.4e-45 is the smallest), the largest
    // floats, and values near 1.
    const edges = [
      5.7e-8, -9.4e-9, 1e-30, 0, -0, 1.4e-45, -1.4e-45, 1e-40, -3e-39, 3.4e38, -3.4e38, 1, -1, 0.9999999,
    ];
    const values = [...random, ...edges];
    await tf.setBackend('cpu');
    const expected = signOf(values).map((v) => v + 0); // -0 and 0 alike
    expect(expected.slice(random.length, random.length + 3)).toEqual([1, -1, 1]);
    await selectBackend('wasm');
    expect(tf.getKernel('Sign', 'wasm')?.kernelFunc.name).toBe('saturatingSign');
    const before = tf.memory().numTensors;
    expect(signOf(values).map((v) => v + 0)).toEqual(expected);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives NaN, infinities and int32 what the cpu kernel gives (NaN: 0)', async () => {
    const values = [2, Number.NaN, -3, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0];
    await tf.setBackend('cpu');
    const expected = signOf(values).map((v) => v + 0);
    expect(expected).toEqual([1, 0, -1, 1, -1, 0]);
    await selectBackend('wasm');
    expect(signOf(values).map((v) => v + 0)).toEqual(expected);
    expect(signOf([5, 0, -7], 'int32')).toEqual([1, 0, -1]);
  });
});
