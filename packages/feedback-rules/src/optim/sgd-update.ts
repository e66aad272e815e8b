import * as tf from '@tensorflow/tfjs-core';

/** The settings one SGD step applies to a parameter (those of its group, at this step's learning rate). */
export interface SgdSettings {
  lr: number;
  momentum: number;
  /** Added to the gradient, as PyTorch does. */
  weightDecay: number;
  /** `sign(grad)` in place of the gradient. */
  batchManhattan: boolean;
  /** A value that would cross zero stays on its old side at +/- `lowerBound`. */
  noSignChange: boolean;
  lowerBound: number;
}

/**
 * One SGD step on one tensor with PyTorch semantics: `d = g + wd * p`, `buf = momentum * buf + d` (the
 * buffer starts as the first `d`: pass `null` then, or zeros, which give the same numbers), `p -= lr * buf`.
 * Pure: returns the new value and the new buffer (null without momentum) and changes nothing. The SGD optimizer
 * and Kolen-Pollack's feedback update share it, so B takes exactly the step W takes.
 */
export function sgdUpdate(
  param: tf.Tensor,
  grad: tf.Tensor,
  buffer: tf.Tensor | null,
  s: SgdSettings,
): { value: tf.Tensor; buffer: tf.Tensor | null } {
  let d = s.batchManhattan ? tf.sign(grad) : grad;
  if (s.weightDecay !== 0) d = tf.add(d, tf.mul(param, s.weightDecay));
  let update = d;
  let nextBuffer: tf.Tensor | null = null;
  if (s.momentum !== 0) {
    nextBuffer = buffer === null ? d : tf.add(tf.mul(buffer, s.momentum), d);
    update = nextBuffer;
  }
  let next = tf.sub(param, tf.mul(update, s.lr));
  if (s.noSignChange) {
    const flipped = tf.lessEqual(tf.mul(tf.sign(param), tf.sign(next)), 0);
    const clamp = tf.where(tf.greaterEqual(param, 0), tf.scalar(s.lowerBound), tf.scalar(-s.lowerBound));
    next = tf.where(flipped, clamp, next);
  }
  return { value: next, buffer: nextBuffer };
}
