import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { FeedbackContext, FeedbackRule } from '../rules/feedback-rule';
import { getRule } from '../rules/rule-registry';

/** Creates a non-trainable weight on the layer; the layer passes its protected `addWeight`. */
export type AddStateWeight = (name: string, shape: number[]) => LayerVariable;

/**
 * The feedback side of an asymmetric layer: its rule, the rule's saved state and the step counter.
 * Shared by the conv and dense layer classes.
 */
export class LayerFeedback {
  readonly rule: FeedbackRule;
  readonly ctx: FeedbackContext;
  readonly stateWeights: Record<string, LayerVariable> = {};
  /** Forward passes in training so far (brsf redraws per batch from it). */
  step = 0;

  constructor(ruleName: string, ctx: FeedbackContext, layerName: string) {
    this.rule = getRule(ruleName, `layer '${layerName}'`);
    this.ctx = ctx;
  }

  /** Adds the rule's state as non-trainable weights initialised from the (already built) kernel. */
  build(kernel: LayerVariable, addWeight: AddStateWeight): void {
    for (const spec of this.rule.state)
      this.stateWeights[spec.name] = addWeight(spec.name, this.ctx.kernelShape);
    this.initState(kernel.read());
  }

  /**
   * Sets the state to the rule's initial value for `kernel`, as if the layer had been built with it (a model
   * converted from another copies the weights in after the build; `fa-signed-init` reads them).
   */
  initState(kernel: tf.Tensor): void {
    for (const spec of this.rule.state) {
      const value = tf.tidy(() => spec.init(kernel, this.ctx));
      this.stateWeights[spec.name].write(value);
      value.dispose();
    }
  }

  /** The feedback tensor for one forward pass; the step advances only in training. */
  feedback(kernel: tf.Tensor, training: boolean): tf.Tensor {
    const state: Record<string, tf.Tensor> = {};
    for (const [name, w] of Object.entries(this.stateWeights)) state[name] = w.read();
    const b = this.rule.feedback({ kernel, state, ctx: this.ctx, step: this.step });
    if (training) this.step++;
    return b;
  }
}

/** A seed for a layer that was given none: drawn once and then stored in its config. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

/**
 * The feedback side of an asymmetric layer, or undefined for any other layer. Recognises the layers of every
 * loaded copy of this package (ESM and CommonJS builds), where `instanceof` would not.
 */
export function layerFeedback(layer: unknown): LayerFeedback | undefined {
  const fb = (layer as { feedbackState?: unknown } | null)?.feedbackState as Partial<LayerFeedback> | null;
  return fb != null && typeof fb.step === 'number' && typeof fb.rule?.name === 'string'
    ? (fb as LayerFeedback)
    : undefined;
}
