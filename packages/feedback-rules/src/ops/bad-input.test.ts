import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { asymmetricConv2d } from './asymmetric-conv2d';
import { asymmetricDense } from './asymmetric-dense';
import { feedbackScale } from './feedback-scale';

describe('bad input is a clear error', () => {
  const x = tf.zeros([1, 5, 5, 3]) as tf.Tensor4D;
  const w = tf.zeros([3, 3, 3, 4]) as tf.Tensor4D;
  it('conv: wrong input rank names the shape', () => {
    expect(() =>
      asymmetricConv2d(tf.zeros([5, 5, 3]) as never, w, w, { strides: 1, pad: 1, name: 'conv1' }),
    ).toThrow(/asymmetricConv2d 'conv1': input must be rank 4 .* got shape \[5,5,3\]/);
  });
  it('conv: channel mismatch names both shapes', () => {
    const w2 = tf.zeros([3, 3, 2, 4]) as tf.Tensor4D;
    expect(() => asymmetricConv2d(x, w2, w2, { strides: 1, pad: 1, name: 'c' })).toThrow(
      /input has 3 channels but filter \[3,3,2,4\] expects 2/,
    );
  });
  it('conv: feedback of the wrong shape', () => {
    expect(() =>
      asymmetricConv2d(x, w, tf.zeros([3, 3, 3, 5]) as tf.Tensor4D, { strides: 1, pad: 1, name: 'c' }),
    ).toThrow(/'c': feedback shape \[3,3,3,5\] differs from filter shape \[3,3,3,4\]/);
  });
  it('conv: input smaller than the filter, bad stride', () => {
    expect(() =>
      asymmetricConv2d(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D, w, w, { strides: 1, pad: 0 }),
    ).toThrow(/smaller than the 3x3 filter/);
    expect(() => asymmetricConv2d(x, w, w, { strides: 0, pad: 0 })).toThrow(
      /strides must be a positive integer/,
    );
  });
  it('conv: padding that is no tfjs padding', () => {
    expect(() => asymmetricConv2d(x, w, w, { strides: 1, pad: -1, name: 'c' })).toThrow(
      /'c': pad must be a non-negative integer, 'same', 'valid', \[\[top, bottom\], \[left, right\]\]/,
    );
    expect(() => asymmetricConv2d(x, w, w, { strides: 1, pad: 'full' as never })).toThrow(/got "full"/);
    const padsChannels = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 1],
    ] as never;
    expect(() => asymmetricConv2d(x, w, w, { strides: 1, pad: padsChannels })).toThrow(
      /explicit NHWC padding must not pad the batch or channels/,
    );
  });
  it('dense: mismatched features and feedback', () => {
    const k = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(() => asymmetricDense(tf.zeros([3, 5]) as tf.Tensor2D, k, k, undefined, { name: 'fc' })).toThrow(
      /asymmetricDense 'fc': input \[3,5\] has 5 features but kernel \[4,2\] expects 4/,
    );
    expect(() =>
      asymmetricDense(tf.zeros([3, 4]) as tf.Tensor2D, k, tf.zeros([2, 4]) as tf.Tensor2D),
    ).toThrow(/feedback shape \[2,4\] differs from kernel shape \[4,2\]/);
    expect(() => asymmetricDense(tf.zeros([3, 4, 1]) as never, k, k)).toThrow(/input must be rank 2/);
  });
  it('feedbackScale: wrong kernel rank', () => {
    expect(() => feedbackScale('conv2d', [3, 3])).toThrow(/\[kh, kw, in, out\]/);
  });
});
