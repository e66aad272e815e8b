import * as tf from '@tensorflow/tfjs-core';
import { backendPlan } from './backend-plan';

/** `tf.matMul` with the transposes done the way the active backend's plan says is fastest. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  if ((!transposeA && !transposeB) || backendPlan().matMulTranspose === 'flags') {
    return tf.matMul(a, b, transposeA, transposeB);
  }
  return tf.tidy(() =>
    tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b),
  ) as tf.Tensor2D;
}
