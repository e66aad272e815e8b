import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { SgdSettings } from '../optim/sgd-update';
import type { FeedbackContext, FeedbackRule } from '../rules/feedback-rule';
import { mixSeed } from '../rules/random-feedback';
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
  /** Forward passes in training so far (brsf redraws per batch from it, the weight mirror its noise). */
  step = 0;
  /** The layer's kernel, set by {@link LayerFeedback.build}. */
  kernel: LayerVariable | null = null;

  constructor(ruleName: string, ctx: FeedbackContext, layerName: string) {
    this.rule = getRule(ruleName, `layer '${layerName}'`);
    this.ctx = ctx;
  }

  /** Adds the rule's state as non-trainable weights initialised from the (already built) kernel. */
  build(kernel: LayerVariable, addWeight: AddStateWeight): void {
    this.kernel = kernel;
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
    const b = this.rule.feedback({ kernel, state: this.readState(), ctx: this.ctx, step: this.step });
    if (training) this.step++;
    return b;
  }

  /** Whether the rule learns its feedback after each optimizer step (Kolen-Pollack). */
  get learnsAfterStep(): boolean {
    return typeof this.rule.update === 'function';
  }

  /** Whether a mirror phase is due after optimizer step `globalStep` (1 for the first step). */
  mirrorDue(globalStep: number): boolean {
    const every = this.rule.mirror?.every;
    return every !== undefined && globalStep % every === 0;
  }

  /**
   * Lets the rule learn after an optimizer step: `kernelGrad` is the step's true kernel gradient and `optimizer`
   * the settings the kernel was stepped with. Tensor ops only (nothing is read back to the host); call inside
   * `tf.tidy`. Does nothing for rules without `update`. With `applied` (a boolean scalar), the state changes only
   * where it is true (a step the loop skipped on the device).
   */
  update(kernelGrad: tf.Tensor, optimizer: SgdSettings, applied?: tf.Tensor): void {
    if (!this.rule.update) return;
    this.rule.update({
      kernel: this.kernelTensor(),
      kernelGrad,
      state: this.readState(),
      assign: (name, value) => this.assign(name, value, applied),
      ctx: this.ctx,
      optimizer,
    });
  }

  /**
   * Runs the rule's mirror phase once, on `noise` if given (tests pass fixed noise), else on the rule's draw
   * seeded by the layer seed and the training step counter, which checkpoints keep. Tensor ops only; call
   * inside `tf.tidy`. Does nothing for rules without a mirror phase. `applied` as for {@link LayerFeedback.update}.
   */
  mirror(noise?: tf.Tensor, applied?: tf.Tensor): void {
    const mirror = this.rule.mirror;
    if (!mirror) return;
    mirror.run({
      kernel: this.kernelTensor(),
      state: this.readState(),
      assign: (name, value) => this.assign(name, value, applied),
      ctx: this.ctx,
      noise: noise ?? mirror.noise(this.ctx, mixSeed(mixSeed(this.ctx.seed, 3), this.step)),
    });
  }

  private kernelTensor(): tf.Tensor {
    if (!this.kernel)
      throw new Error(`the feedback of rule '${this.rule.name}' is used before its layer is built`);
    return this.kernel.read();
  }

  private readState(): Record<string, tf.Tensor> {
    const state: Record<string, tf.Tensor> = {};
    for (const [name, w] of Object.entries(this.stateWeights)) state[name] = w.read();
    return state;
  }

  private assign(name: string, value: tf.Tensor, applied?: tf.Tensor): void {
    const w = this.stateWeights[name];
    if (!w) {
      throw new Error(
        `rule '${this.rule.name}' assigns '${name}', which is not in its state (${Object.keys(this.stateWeights).join(', ') || 'none'})`,
      );
    }
    w.write(applied ? tf.where(applied, value, w.read()) : value);
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
