import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { scaleShiftPerChannel, sumPerChannel } from './channel-ops';

/** Values that tell every position apart. */
function ramp(shape: number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, (_, i) => ((i * 7919) % 101) / 10 - 5);
}

/** A float32 `a * b + c` against float64: within a few roundings of the terms' size. */
function expectNear(actual: number, a: number, b: number, c: number): void {
  const size = Math.abs(a * b) + Math.abs(c);
  expect(Math.abs(actual - (a * b + c))).toBeLessThanOrEqual(1e-6 * Math.max(1, size));
}

for (const backend of ['cpu', 'wasm']) {
  describe(`channel ops on ${backend}`, () => {
    // NHWC planes of several sizes (1x1 takes the plain-sum path), an odd pixel count (no wide view), [N, C].
    const shapes = [
      [3, 5, 4, 6],
      [2, 1, 1, 5],
      [1, 7, 11, 3],
      [13, 4],
      [2, 3, 300],
    ];

    for (const shape of shapes) {
      it(`[${shape}]: sums over all but the channel axis, and x * scale + shift per channel`, async () => {
        await tf.setBackend(backend);
        const c = shape[shape.length - 1];
        const data = ramp(shape);
        const scale = Float32Array.from({ length: c }, (_, k) => 0.5 + k);
        const shift = Float32Array.from({ length: c }, (_, k) => 3 - 2 * k);
        const expectedSums = new Float64Array(c);
        data.forEach((v, i) => {
          expectedSums[i % c] += v;
        });
        const x = tf.tensor(data, shape);
        const sums = sumPerChannel(x);
        expect(sums.shape).toEqual([c]);
        sums.dataSync().forEach((v, k) => expect(v).toBeCloseTo(expectedSums[k], 3));
        const s = tf.tensor1d(scale);
        const b = tf.tensor1d(shift);
        const both = scaleShiftPerChannel(x, s, b);
        expect(both.shape).toEqual(shape);
        both.dataSync().forEach((v, i) => expectNear(v, data[i], scale[i % c], shift[i % c]));
        scaleShiftPerChannel(x, s, null)
          .dataSync()
          .forEach((v, i) => expectNear(v, data[i], scale[i % c], 0));
        scaleShiftPerChannel(x, null, b)
          .dataSync()
          .forEach((v, i) => expectNear(v, data[i], 1, shift[i % c]));
        tf.dispose([x, sums, s, b, both]);
      });
    }
  });
}
