import type * as tf from '@tensorflow/tfjs-core';
import type { WeightKind } from '../ops/feedback-scale';

/** What a rule knows about the layer whose feedback it makes. */
export interface FeedbackContext {
  kind: WeightKind;
  /** `[kh, kw, in, out]` for conv2d, `[in, out]` for dense. */
  kernelShape: number[];
  /** The feedback scale `s` of DESIGN.md. */
  scale: number;
  /** Seed of the layer; rules derive their random draws from it. */
  seed: number;
}

/** A tensor a rule keeps per layer, saved and loaded with the model as a non-trainable weight. */
export interface FeedbackStateSpec {
  name: string;
  /** Initial value, made once when the layer is built (after its kernel, which it may read). */
  init: (kernel: tf.Tensor, ctx: FeedbackContext) => tf.Tensor;
}

/** Arguments of {@link FeedbackRule.feedback}. */
export interface FeedbackArgs {
  kernel: tf.Tensor;
  state: Record<string, tf.Tensor>;
  ctx: FeedbackContext;
  /** Counts forward passes in training; rules that redraw per batch seed their draw with it. */
  step: number;
}

/** Arguments of {@link FeedbackRule.update} (after an optimizer step). */
export interface FeedbackUpdateArgs {
  kernel: tf.Tensor;
  /** The true kernel gradient of the step. */
  kernelGrad: tf.Tensor;
  state: Record<string, tf.Tensor>;
  /** Writes a new value for a state tensor. */
  assign: (name: string, value: tf.Tensor) => void;
  ctx: FeedbackContext;
  learningRate: number;
}

/**
 * A learning rule: how the feedback B that carries errors backwards is made from the forward weights W.
 * The forward pass and dW are always backprop's; only dx uses B. Rules that learn B (Kolen-Pollack,
 * weight mirror) implement `update`.
 */
export interface FeedbackRule {
  readonly name: string;
  readonly description: string;
  /** Non-trainable tensors kept per layer. */
  readonly state: readonly FeedbackStateSpec[];
  /** The feedback for this forward pass. May return `kernel` itself (backprop). */
  feedback(args: FeedbackArgs): tf.Tensor;
  /** Learns the feedback state after an optimizer step. */
  update?(args: FeedbackUpdateArgs): void;
}
