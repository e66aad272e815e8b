import * as tf from '@tensorflow/tfjs-core';
import { sgdUpdate } from '../optim/sgd-update';
import type { FeedbackRule } from './feedback-rule';
import { mixSeed, randomFeedback } from './random-feedback';

/**
 * Kolen-Pollack (Kolen & Pollack 1994; Akrout et al. 2019): B starts as feedback alignment's random B and then
 * takes, at every optimizer step, the step W takes: the same true gradient dW through the same optimizer
 * settings (learning rate, momentum, weight decay on B's own values, ...). Since both receive the same updates,
 * `B - W` only feels the weight decay (and momentum), which shrinks it towards zero, so B comes to equal W
 * without W ever being copied to the feedback path.
 *
 * State: `feedback` (B) and `feedbackMomentum`, B's momentum buffer, which starts at zeros: `0.9 * 0 + d` is
 * the first `d` exactly, so this is PyTorch's buffer that starts as the first gradient. Both are saved with the
 * model and in checkpoints, so a resumed run continues bit for bit.
 */
export const kolenPollack: FeedbackRule = {
  name: 'kp',
  description: 'Kolen-Pollack: B starts as fa, then takes the same optimizer steps (gradient dW) as W',
  state: [
    // The same draw as `fa`: a kp run starts exactly where the fa run of that seed starts.
    { name: 'feedback', init: (_kernel, ctx) => randomFeedback(ctx, mixSeed(ctx.seed, 1)) },
    { name: 'feedbackMomentum', init: (kernel) => tf.zerosLike(kernel) },
  ],
  feedback: ({ state }) => state.feedback,
  update({ kernelGrad, state, assign, optimizer }) {
    const { value, buffer } = sgdUpdate(state.feedback, kernelGrad, state.feedbackMomentum, optimizer);
    assign('feedback', value);
    if (buffer) assign('feedbackMomentum', buffer);
  },
};
