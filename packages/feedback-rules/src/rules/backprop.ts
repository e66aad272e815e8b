import type { FeedbackRule } from './feedback-rule';

/** Backpropagation: B = W. The control of every experiment. */
export const backprop: FeedbackRule = {
  name: 'bp',
  description: 'backpropagation: feedback is the forward weights',
  state: [],
  feedback: ({ kernel }) => kernel,
};
