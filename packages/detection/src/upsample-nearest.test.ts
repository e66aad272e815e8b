import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsampleNearest } from './upsample-nearest';

/** Hand computation: out[i][j] = in[floor(i * h / H)][floor(j * w / W)]; its gradient sums dy over sources. */
function reference(x: number[], dy: number[], [n, h, w, c]: number[], H: number, W: number) {
  const y = new Array(n * H * W * c).fill(0);
  const dx = new Array(n * h * w * c).fill(0);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++)
        for (let k = 0; k < c; k++) {
          const si = Math.floor((i * h) / H);
          const sj = Math.floor((j * w) / W);
          const src = ((b * h + si) * w + sj) * c + k;
          const dst = ((b * H + i) * W + j) * c + k;
          y[dst] = x[src];
          dx[src] += dy[dst];
        }
  return { y, dx };
}

describe.each(['cpu', 'wasm'])('upsampleNearest (%s)', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each([
    [[3, 2, 2, 8], 4, 4],
    [[2, 1, 1, 3], 2, 2],
    [[2, 4, 3, 2], 8, 9],
    [[2, 3, 5, 2], 7, 8], // not whole factors: the selection-matrix path
  ] as [[number, number, number, number], number, number][])(
    '%j to %i x %i: values and gradient of a batch',
    (shape, H, W) => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
      const dy = tf.randomNormal([shape[0], H, W, shape[3]], 0, 1, 'float32', 2);
      const before = tf.memory().numTensors;
      const y = upsampleNearest(x, H, W);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(upsampleNearest(t as tf.Tensor4D, H, W), dy)))(x);
      const ref = reference(Array.from(x.dataSync()), Array.from(dy.dataSync()), shape, H, W);
      expect(Array.from(y.dataSync())).toEqual(ref.y);
      Array.from(dx.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(ref.dx[i], 5));
      tf.dispose([y, dx]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, dy]);
    },
  );
});
