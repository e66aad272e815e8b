import * as tf from '@tensorflow/tfjs-core';
import type { FeedbackRule } from './feedback-rule';
import { mixSeed, randomFeedback } from './random-feedback';

/** frSF: sign-symmetry with fixed random magnitudes, B = |R| * sign(W) with R drawn once. */
export const fixedRandomSignFeedback: FeedbackRule = {
  name: 'frsf',
  description: 'sign-symmetry with fixed random magnitudes: |R| * sign(W), R fixed',
  state: [{ name: 'magnitude', init: (_kernel, ctx) => tf.abs(randomFeedback(ctx, mixSeed(ctx.seed, 2))) }],
  feedback: ({ kernel, state }) => tf.mul(state.magnitude, tf.sign(kernel)),
};
