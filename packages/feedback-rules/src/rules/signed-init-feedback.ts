import * as tf from '@tensorflow/tfjs-core';
import type { FeedbackRule } from './feedback-rule';

/** fa-signed-init: B = sign(W0) * s, the signs of the initial weights, then fixed. */
export const signedInitFeedback: FeedbackRule = {
  name: 'fa-signed-init',
  description: 'fixed feedback sign(W0) * s from the initial weights',
  state: [{ name: 'feedback', init: (kernel, ctx) => tf.mul(tf.sign(kernel), ctx.scale) }],
  feedback: ({ state }) => state.feedback,
};
