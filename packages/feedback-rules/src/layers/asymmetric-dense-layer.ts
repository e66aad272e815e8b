import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { asymmetricDense } from '../ops/asymmetric-dense';
import { feedbackScale } from '../ops/feedback-scale';
import { type KerasLayerOptions, type ResolvedKerasOptions, resolveKerasOptions } from './keras-options';
import { freshSeed, LayerFeedback } from './layer-feedback';

/**
 * Configuration of {@link AsymmetricDense}. Besides its own options it takes tfjs `Dense`'s activation,
 * initializers, regularizers and constraints ({@link KerasLayerOptions}).
 */
export interface AsymmetricDenseArgs extends LayerArgs, KerasLayerOptions {
  units: number;
  useBias?: boolean;
  /** Learning rule name: bp, ss, fa, frsf, brsf, fa-signed-init, kp, wm, or any registered rule. */
  rule?: string;
  /** Fixes the kernel init and the rule's random feedback. */
  seed?: number;
  /** The rule's feedback scale `s`. Default `1 / sqrt(in)`. */
  feedbackScale?: number;
}

/**
 * A dense layer (`[in, out]` kernel) that sends errors back through its rule's feedback. Init as PyTorch
 * `nn.Linear`: kernel and bias `U(-1/sqrt(in), 1/sqrt(in))`, unless tfjs initializers are given. Like tfjs's
 * `Dense`, an input of rank above 2 is multiplied along its last axis.
 */
export class AsymmetricDense extends layers.Layer {
  static className = 'AsymmetricDense';
  readonly units: number;
  readonly useBias: boolean;
  readonly ruleName: string;
  readonly seed: number;
  /** The feedback scale given in the config, if any. */
  readonly feedbackScale: number | undefined;
  kernel: LayerVariable | null = null;
  bias: LayerVariable | null = null;
  feedbackState: LayerFeedback | null = null;
  private readonly keras: ResolvedKerasOptions;

  constructor(args: AsymmetricDenseArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new Error(`AsymmetricDense '${this.name}': units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
    this.useBias = args.useBias ?? true;
    this.ruleName = args.rule ?? 'bp';
    this.seed = args.seed ?? freshSeed();
    const who = `AsymmetricDense '${this.name}'`;
    this.keras = resolveKerasOptions(args, who);
    if (args.feedbackScale != null && !(args.feedbackScale > 0)) {
      throw new Error(`${who}: feedbackScale must be positive, got ${args.feedbackScale}`);
    }
    this.feedbackScale = args.feedbackScale;
    this.inputSpec = [{ minNDim: 2 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const inFeatures = shape[shape.length - 1];
    if (inFeatures == null) throw new Error(`AsymmetricDense '${this.name}': input features must be known`);
    const kernelShape = [inFeatures, this.units];
    const bound = feedbackScale('dense', kernelShape);
    const uniform = (seed: number) => initializers.randomUniform({ minval: -bound, maxval: bound, seed });
    const keras = this.keras;
    this.kernel = this.addWeight(
      'kernel',
      kernelShape,
      'float32',
      keras.kernelInitializer ?? uniform(this.seed),
      keras.kernelRegularizer ?? undefined,
      true,
      keras.kernelConstraint ?? undefined,
    );
    if (this.useBias) {
      this.bias = this.addWeight(
        'bias',
        [this.units],
        'float32',
        keras.biasInitializer ?? uniform(this.seed + 1),
        keras.biasRegularizer ?? undefined,
        true,
        keras.biasConstraint ?? undefined,
      );
    }
    this.inputSpec = [{ minNDim: 2, axes: { [-1]: inFeatures } }];
    this.feedbackState = new LayerFeedback(
      this.ruleName,
      { kind: 'dense', kernelShape, scale: this.feedbackScale ?? bound, seed: this.seed },
      this.name,
    );
    this.feedbackState.build(this.kernel, (name, s) =>
      this.addWeight(name, s, 'float32', initializers.zeros(), undefined, false),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    return [...shape.slice(0, -1), this.units] as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
      const kernel = this.kernel!.read() as tf.Tensor2D;
      const feedback = this.feedbackState!.feedback(kernel, kwargs?.training === true) as tf.Tensor2D;
      const bias = this.bias ? (this.bias.read() as tf.Tensor1D) : undefined;
      // Rank > 2: the leading axes are batch axes, as in tfjs's Dense.
      const x2 = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, x.shape[x.rank - 1]]);
      const y2 = asymmetricDense(x2 as tf.Tensor2D, kernel, feedback, bias, { name: this.name });
      const y = x.rank === 2 ? y2 : tf.reshape(y2, [...x.shape.slice(0, -1), this.units]);
      return this.keras.activation ? this.keras.activation.apply(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      useBias: this.useBias,
      ...this.keras.config,
      rule: this.ruleName,
      seed: this.seed,
      ...(this.feedbackScale === undefined ? {} : { feedbackScale: this.feedbackScale }),
    };
  }
}

tf.serialization.registerClass(AsymmetricDense);
