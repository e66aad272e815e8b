import * as tf from '@tensorflow/tfjs-core';

/** Backends whose matMul is fast only untransposed (wasm: ~1 GFLOP/s with a transpose flag, ~15 without). */
const explicitTransposeBackends = new Set(['wasm', 'cpu']);

/** `tf.matMul` with the transposes done the fastest way for the active backend. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  if (!explicitTransposeBackends.has(tf.getBackend()) || (!transposeA && !transposeB)) {
    return tf.matMul(a, b, transposeA, transposeB);
  }
  return tf.tidy(() =>
    tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b),
  ) as tf.Tensor2D;
}
