import * as tf from '@tensorflow/tfjs-core';
import type { FeedbackRule } from './feedback-rule';

/** Sign-symmetry (Liao et al. 2016 "uSF", the paper's rule): B = sign(W) * s, recomputed every step. */
export const signSymmetry: FeedbackRule = {
  name: 'ss',
  description: 'sign-symmetry: feedback is sign(W) * s, recomputed every step',
  state: [],
  feedback: ({ kernel, ctx }) => tf.mul(tf.sign(kernel), ctx.scale),
};
