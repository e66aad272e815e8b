import * as tf from '@tensorflow/tfjs-core';
import { backendPlan } from '../ops/backend-plan';
import { deviceRandomNormal, deviceRandomUniform } from '../ops/device-random';
import type { FeedbackContext, FeedbackRule } from './feedback-rule';
import { mixSeed, randomFeedback } from './random-feedback';

/**
 * R of one batch, distributed as feedback alignment's B: on the host with tfjs's generator where the backend's
 * plan says so (wasm, cpu), else drawn on the device (GPU backends, tfjs-node), so that no step uploads it.
 */
function batchDraw(ctx: FeedbackContext, seed: number): tf.Tensor {
  if (backendPlan().stepRandom === 'host') return randomFeedback(ctx, seed);
  return ctx.kind === 'conv2d'
    ? deviceRandomNormal(ctx.kernelShape, 0, ctx.scale, seed)
    : deviceRandomUniform(ctx.kernelShape, -ctx.scale, ctx.scale, seed);
}

/** brSF (Liao et al. 2016): B = |R| * sign(W) with R redrawn every batch. */
export const batchwiseRandomSignFeedback: FeedbackRule = {
  name: 'brsf',
  description: 'sign-symmetry with random magnitudes redrawn every batch: |R| * sign(W)',
  state: [],
  feedback: ({ kernel, ctx, step }) =>
    tf.tidy(() => tf.mul(tf.abs(batchDraw(ctx, mixSeed(ctx.seed, 1000 + step))), tf.sign(kernel))),
};
