import * as tf from '@tensorflow/tfjs-core';
import type { FeedbackRule } from './feedback-rule';
import { mixSeed, randomFeedback } from './random-feedback';

/** brSF (Liao et al. 2016): B = |R| * sign(W) with R redrawn every batch. */
export const batchwiseRandomSignFeedback: FeedbackRule = {
  name: 'brsf',
  description: 'sign-symmetry with random magnitudes redrawn every batch: |R| * sign(W)',
  state: [],
  feedback: ({ kernel, ctx, step }) =>
    tf.tidy(() => tf.mul(tf.abs(randomFeedback(ctx, mixSeed(ctx.seed, 1000 + step))), tf.sign(kernel))),
};
