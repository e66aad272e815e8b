import * as tf from '@tensorflow/tfjs-core';
import type { FeedbackContext } from './feedback-rule';

/**
 * A random matrix distributed as the paper's code draws fixed feedback: `N(0, s)` for conv kernels and
 * `U(-s, s)` for dense kernels.
 */
export function randomFeedback(ctx: FeedbackContext, seed: number): tf.Tensor {
  return ctx.kind === 'conv2d'
    ? tf.randomNormal(ctx.kernelShape, 0, ctx.scale, 'float32', seed)
    : tf.randomUniform(ctx.kernelShape, -ctx.scale, ctx.scale, 'float32', seed);
}

/** Mixes a layer seed and a counter into a new 31-bit seed (so per-step draws are reproducible). */
export function mixSeed(seed: number, counter: number): number {
  let h = (seed ^ Math.imul(counter + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) & 0x7fffffff;
}
