import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { PaddedMaxPool2D } from './max-pool';

/** PyTorch's max pool in plain JS: -inf padding, floor rounding, gradient to the first maximum of a window. */
function referencePool(x: tf.Tensor4D, k: number, s: number, p: number, dy?: Float32Array) {
  const [n, h, w, c] = x.shape;
  const xs = x.dataSync();
  const oh = Math.floor((h + 2 * p - k) / s) + 1;
  const ow = Math.floor((w + 2 * p - k) / s) + 1;
  const y = new Float32Array(n * oh * ow * c);
  const dx = new Float32Array(xs.length);
  let o = 0;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let di = 0; di < k; di++)
            for (let dj = 0; dj < k; dj++) {
              const r = i * s - p + di;
              const q = j * s - p + dj;
              if (r < 0 || q < 0 || r >= h || q >= w) continue;
              const idx = ((b * h + r) * w + q) * c + ch;
              if (xs[idx] > best) {
                best = xs[idx];
                at = idx;
              }
            }
          y[o] = best;
          if (dy) dx[at] += dy[o];
        }
  return { y, dx, shape: [n, oh, ow, c] };
}

describe('PaddedMaxPool2D', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`${backend}: padded cells never win, even over negative inputs (PyTorch -inf padding)`, async () => {
      await tf.setBackend(backend);
      for (const [size, k, s, p] of [
        [9, 3, 2, 1],
        [8, 3, 2, 1],
        [13, 3, 2, 0],
        [7, 2, 2, 1],
      ]) {
        const x = tf.sub(tf.randomNormal([2, size, size, 3], 0, 1, 'float32', size), 5) as tf.Tensor4D;
        const layer = new PaddedMaxPool2D({ poolSize: k, strides: s, pad: p });
        const y = layer.apply(x) as tf.Tensor;
        const ref = referencePool(x, k, s, p);
        expect(y.shape).toEqual(ref.shape);
        expect(layer.computeOutputShape([null, size, size, 3])).toEqual([null, ...ref.shape.slice(1)]);
        expect(Array.from(y.dataSync())).toEqual(Array.from(ref.y));
      }
    });
  }

  it('cpu: gradient goes to the first maximum of each window, as in PyTorch', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 2);
    const layer = new PaddedMaxPool2D({ poolSize: 3, strides: 2, pad: 1 });
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, dy)))(x);
    const ref = referencePool(x, 3, 2, 1, dy.dataSync() as Float32Array);
    dx.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ref.dx[i], 5));
  });

  it('wasm: gradient over ReLU outputs (how the architectures use it) equals the reference', async () => {
    // tfjs-backend-wasm's MaxPoolGrad drops the gradient of windows whose maximum is negative; after a ReLU
    // no window is, and a window of zeros gets no gradient through the ReLU in PyTorch either.
    await tf.setBackend('wasm');
    const x = tf.relu(tf.randomNormal([2, 16, 16, 4], 0, 1, 'float32', 3)) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 4);
    const layer = new PaddedMaxPool2D({ poolSize: 3, strides: 2, pad: 1 });
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(tf.relu(t)) as tf.Tensor, dy)))(x);
    const ref = referencePool(x, 3, 2, 1, dy.dataSync() as Float32Array);
    const xs = x.dataSync();
    dx.dataSync().forEach((v, i) => expect(v).toBeCloseTo(xs[i] > 0 ? ref.dx[i] : 0, 5));
  });

  it('rejects bad geometry', () => {
    expect(() => new PaddedMaxPool2D({ name: 'p', poolSize: 0 })).toThrow(
      /'p': poolSize must be an integer >= 1/,
    );
    expect(() => new PaddedMaxPool2D({ name: 'p', poolSize: 3, pad: 2 })).toThrow(/pad 2 exceeds half/);
    const cfg = new PaddedMaxPool2D({ name: 'p', poolSize: 3, strides: 2, pad: 1 }).getConfig();
    expect(cfg).toMatchObject({ poolSize: 3, strides: 2, pad: 1 });
  });
});
