import type { FeedbackRule } from './feedback-rule';
import { mixSeed, randomFeedback } from './random-feedback';

/** Feedback alignment (Lillicrap et al. 2016): B fixed random, drawn once and stored with the model. */
export const feedbackAlignment: FeedbackRule = {
  name: 'fa',
  description: 'feedback alignment: fixed random feedback, N(0, s) for conv and U(-s, s) for dense',
  state: [{ name: 'feedback', init: (_kernel, ctx) => randomFeedback(ctx, mixSeed(ctx.seed, 1)) }],
  feedback: ({ state }) => state.feedback,
};
