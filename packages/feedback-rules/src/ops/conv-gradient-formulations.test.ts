import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '../testing/reference';
import {
  conv2dFilterGradDilated,
  conv2dFilterGradIm2col,
  conv2dFilterGradNative,
} from './conv-filter-gradient';
import { type ConvPadding, convGeometry } from './conv-geometry';
import { conv2dInputGradNative, conv2dInputGradPhases } from './conv-input-gradient';

// [batch, h, w, in, out, k, stride, pad]: odd sizes, non-square inputs, stride 3, pad 0 with stride 2,
// pads larger than needed, kernels larger than the stride.
const geometries: number[][] = [
  [3, 11, 13, 5, 7, 3, 2, 1],
  [2, 10, 10, 2, 3, 7, 2, 3],
  [1, 5, 5, 6, 2, 3, 1, 0],
  [2, 9, 7, 3, 4, 3, 3, 1],
  [1, 12, 12, 2, 2, 5, 3, 2],
  [2, 8, 8, 3, 2, 2, 2, 0],
  [1, 6, 9, 2, 3, 1, 3, 0],
  [1, 7, 7, 2, 2, 3, 2, 2],
  [2, 4, 4, 3, 3, 4, 1, 3],
  [1, 15, 15, 1, 2, 11, 4, 2],
  // Wide layers, odd channel counts on both sides.
  [2, 6, 6, 20, 35, 3, 1, 1],
  [1, 7, 8, 33, 18, 3, 2, 1],
];

// tfjs padding modes: 'same' pads the odd zero after (asymmetric at stride 2 on even sizes), explicit pads
// differ per side; with k < s 'same' adds no zeros at all.
const padded: [number[], ConvPadding][] = [
  [[2, 8, 8, 3, 4, 3, 2], 'same'],
  [[1, 9, 10, 2, 3, 3, 2], 'same'],
  [[2, 7, 6, 2, 2, 5, 3], 'same'],
  [[1, 8, 8, 2, 3, 1, 2], 'same'],
  [[1, 11, 9, 3, 2, 4, 1], 'same'],
  [[2, 9, 9, 2, 3, 3, 2], 'valid'],
  [
    [1, 10, 9, 2, 3, 3, 2],
    [
      [0, 2],
      [1, 0],
    ],
  ],
  [
    [2, 7, 8, 3, 2, 3, 3],
    [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  ],
];

const cases: [number[], ConvPadding][] = [
  ...geometries.map(([n, h, w, cin, cout, k, s, p]): [number[], ConvPadding] => [
    [n, h, w, cin, cout, k, s],
    p,
  ]),
  ...padded,
];

/** One case's inputs and the cpu backend's own gradient kernels' results. */
interface Reference {
  x: Float32Array;
  f: Float32Array;
  dy: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

function caseName([n, h, w, cin, cout, k, s]: number[], p: ConvPadding): string {
  return `${k}x${k}/${s} pad ${JSON.stringify(p)} on [${n},${h},${w},${cin}] -> ${cout}`;
}

/** Every case's inputs and gradients, made once before any test, on the cpu backend. */
const references = new Map<string, Reference>();

beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const [[n, h, w, cin, cout, k, s], p] of cases) {
    tf.tidy(() => {
      const g = convGeometry([n, h, w, cin], [k, k, cin, cout], s, p);
      const x = tf.randomNormal([n, h, w, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
      const f = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomNormal([n, g.outHeight, g.outWidth, cout], 0, 1, 'float32', 3) as tf.Tensor4D;
      references.set(caseName([n, h, w, cin, cout, k, s], p), {
        x: x.dataSync() as Float32Array,
        f: f.dataSync() as Float32Array,
        dy: dy.dataSync() as Float32Array,
        dx: conv2dInputGradNative(dy, f, g).dataSync() as Float32Array,
        dw: conv2dFilterGradNative(x, dy, g).dataSync() as Float32Array,
      });
    });
  }
});

describe("conv geometry: tfjs's own output size for each padding", () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  for (const [[n, h, w, cin, cout, k, s], p] of cases) {
    it(caseName([n, h, w, cin, cout, k, s], p), () => {
      tf.tidy(() => {
        const g = convGeometry([n, h, w, cin], [k, k, cin, cout], s, p);
        const x = tf.randomNormal([n, h, w, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
        const f = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
        expect([g.outHeight, g.outWidth]).toEqual(tf.conv2d(x, f, s, g.tfPadding).shape.slice(1, 3));
        expect([g.outHeight, g.outWidth]).toEqual(
          tf
            .conv2d(x, f, s, typeof p === 'number' || typeof p === 'string' ? p : g.tfPadding)
            .shape.slice(1, 3),
        );
      });
    });
  }
});

// wasm's compositions read and write its heap directly (host-memory.ts); cpu's go through dataSync.
for (const backend of ['cpu', 'wasm']) {
  describe(`conv gradient formulations on ${backend} equal the cpu backend kernels`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });
    for (const [[n, h, w, cin, cout, k, s], p] of cases) {
      const name = caseName([n, h, w, cin, cout, k, s], p);
      it(name, () => {
        const ref = references.get(name);
        if (!ref) throw new Error(`no cpu reference for ${name}`);
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const g = convGeometry([n, h, w, cin], [k, k, cin, cout], s, p);
          const x = tf.tensor4d(ref.x, [n, h, w, cin]);
          const f = tf.tensor4d(ref.f, [k, k, cin, cout]);
          const dy = tf.tensor4d(ref.dy, [n, g.outHeight, g.outWidth, cout]);
          const dxPhases = conv2dInputGradPhases(dy, f, g);
          expect(dxPhases.shape).toEqual([n, h, w, cin]);
          expect(relativeError(dxPhases.dataSync(), ref.dx)).toBeLessThan(1e-6);
          const dwDilated = conv2dFilterGradDilated(x, dy, g);
          expect(dwDilated.shape).toEqual([k, k, cin, cout]);
          expect(relativeError(dwDilated.dataSync(), ref.dw)).toBeLessThan(1e-6);
          const dwIm2col = conv2dFilterGradIm2col(x, dy, g);
          expect(dwIm2col.shape).toEqual([k, k, cin, cout]);
          expect(relativeError(dwIm2col.dataSync(), ref.dw)).toBeLessThan(1e-6);
        });
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}
