import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '../testing/reference';
import { asymmetricConv2d } from './asymmetric-conv2d';
import { asymmetricDense } from './asymmetric-dense';
import { setConvGradientPlan } from './backend-plan';
import { type ConvPadding, explicitPadding } from './conv-geometry';

function convGrads(useAsymmetric: boolean, pad: ConvPadding = 1, xShape = [2, 9, 9, 3]) {
  return tf.tidy(() => {
    const x = tf.randomNormal(xShape as [number, number, number, number], 0, 1, 'float32', 7);
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 8) as tf.Tensor4D;
    // tfjs's own padding argument: the number as explicit pads, the rest as given.
    const tfPad =
      typeof pad === 'number' ? explicitPadding(pad) : pad.length === 2 ? [[0, 0], ...pad, [0, 0]] : pad;
    const f = (xx: tf.Tensor, ww: tf.Tensor) =>
      tf.sum(
        tf.square(
          useAsymmetric
            ? asymmetricConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, ww as tf.Tensor4D, { strides: 2, pad })
            : tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, tfPad as 'same'),
        ),
      );
    return tf
      .grads(f)([x, w])
      .map((t) => t.dataSync().slice());
  });
}

describe('the bp rule is ordinary autodiff', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => setConvGradientPlan('cpu', undefined));

  it('conv: bit-identical with the native kernels autodiff uses', () => {
    setConvGradientPlan('cpu', { input: 'native', filter: 'native' });
    const [dxA, dwA] = convGrads(true);
    const [dxB, dwB] = convGrads(false);
    expect(Array.from(dxA)).toEqual(Array.from(dxB));
    expect(Array.from(dwA)).toEqual(Array.from(dwB));
  });

  // 'same' on an even input pads 0 above and 1 below at stride 2; explicit pads differ per side.
  const paddings: [ConvPadding, number[]][] = [
    ['same', [2, 8, 8, 3]],
    ['same', [2, 9, 9, 3]],
    ['valid', [2, 9, 8, 3]],
    [
      [
        [0, 2],
        [1, 0],
      ],
      [2, 8, 9, 3],
    ],
  ];
  for (const [pad, xShape] of paddings) {
    it(`conv with tfjs padding ${JSON.stringify(pad)} on [${xShape}]: bit-identical with native kernels, 1e-6 composed`, () => {
      setConvGradientPlan('cpu', { input: 'native', filter: 'native' });
      const reference = convGrads(false, pad, xShape);
      const native = convGrads(true, pad, xShape);
      expect(Array.from(native[0])).toEqual(Array.from(reference[0]));
      expect(Array.from(native[1])).toEqual(Array.from(reference[1]));
      setConvGradientPlan('cpu', undefined);
      const composed = convGrads(true, pad, xShape);
      expect(relativeError(composed[0], reference[0])).toBeLessThan(1e-6);
      expect(relativeError(composed[1], reference[1])).toBeLessThan(1e-6);
    });
  }

  it('conv: equal to float32 rounding with the fast compositions', () => {
    const [dxA, dwA] = convGrads(true);
    const [dxB, dwB] = convGrads(false);
    expect(relativeError(dxA, dxB)).toBeLessThan(1e-6);
    expect(relativeError(dwA, dwB)).toBeLessThan(1e-6);
  });

  it('dense: bit-identical', () => {
    const run = (asym: boolean) =>
      tf.tidy(() => {
        const x = tf.randomNormal([5, 7], 0, 1, 'float32', 1) as tf.Tensor2D;
        const k = tf.randomNormal([7, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
        const b = tf.randomNormal([3], 0, 1, 'float32', 3) as tf.Tensor1D;
        const f = (xx: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(
            tf.square(
              asym
                ? asymmetricDense(xx as tf.Tensor2D, kk as tf.Tensor2D, kk as tf.Tensor2D, bb as tf.Tensor1D)
                : tf.add(tf.matMul(xx, kk), bb),
            ),
          );
        return tf
          .grads(f)([x, k, b])
          .map((t) => Array.from(t.dataSync()));
      });
    expect(run(true)).toEqual(run(false));
  });
});
