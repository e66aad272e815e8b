import type * as tf from '@tensorflow/tfjs-core';
import type { WeightKind } from '../ops/feedback-scale';
import type { SgdSettings } from '../optim/sgd-update';

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

/** Arguments of {@link FeedbackRule.update}, called once per optimizer step after the weights changed. */
export interface FeedbackUpdateArgs {
  /** The kernel after the optimizer step. */
  kernel: tf.Tensor;
  /** The true kernel gradient of the step (what the optimizer was given for the kernel). */
  kernelGrad: tf.Tensor;
  state: Record<string, tf.Tensor>;
  /** Writes a new value for a state tensor (read by the next forward pass and saved with the model). */
  assign: (name: string, value: tf.Tensor) => void;
  ctx: FeedbackContext;
  /** The optimizer settings the kernel was stepped with, the learning rate of this step included. */
  optimizer: SgdSettings;
}

/** Arguments of {@link FeedbackMirror.run}. */
export interface FeedbackMirrorArgs {
  kernel: tf.Tensor;
  state: Record<string, tf.Tensor>;
  assign: (name: string, value: tf.Tensor) => void;
  ctx: FeedbackContext;
  /** The noise the layer is driven with this phase (from {@link FeedbackMirror.noise} unless given). */
  noise: tf.Tensor;
}

/**
 * A phase between training steps in which a layer learns its feedback without data (the weight mirror of
 * Akrout et al. 2019): the loop runs it after every `every`-th optimizer step.
 */
export interface FeedbackMirror {
  /** Run after optimizer steps `every`, `2 * every`, ... (1: after every step). */
  readonly every: number;
  /** The noise of one phase, drawn from `seed` (so a resumed run draws what an uninterrupted one would). */
  noise(ctx: FeedbackContext, seed: number): tf.Tensor;
  /** Learns the feedback state from the layer's response to `noise`. */
  run(args: FeedbackMirrorArgs): void;
}

/**
 * A learning rule: how the feedback B that carries errors backwards is made from the forward weights W.
 * The forward pass and dW are always backprop's; only dx uses B. Rules that learn B implement `update`
 * (Kolen-Pollack: after each optimizer step) and/or `mirror` (weight mirror: a phase between steps); the
 * training loop calls both for every layer that has them, and the state they write is saved with the model.
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
  /** A mirror phase the loop runs between training steps. */
  readonly mirror?: FeedbackMirror;
}
