import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { asymmetricDense } from '../ops/asymmetric-dense';
import { feedbackScale } from '../ops/feedback-scale';
import { freshSeed, LayerFeedback } from './layer-feedback';

/** Configuration of {@link AsymmetricDense}. */
export interface AsymmetricDenseArgs extends LayerArgs {
  units: number;
  useBias?: boolean;
  /** Learning rule name: bp, ss, fa, frsf, brsf, fa-signed-init, or any registered rule. */
  rule?: string;
  /** Fixes the kernel init and the rule's random feedback. */
  seed?: number;
}

/**
 * A dense layer (`[in, out]` kernel) that sends errors back through its rule's feedback. Init as PyTorch
 * `nn.Linear`: kernel and bias `U(-1/sqrt(in), 1/sqrt(in))`.
 */
export class AsymmetricDense extends layers.Layer {
  static className = 'AsymmetricDense';
  readonly units: number;
  readonly useBias: boolean;
  readonly ruleName: string;
  readonly seed: number;
  kernel: LayerVariable | null = null;
  bias: LayerVariable | null = null;
  feedbackState: LayerFeedback | null = null;

  constructor(args: AsymmetricDenseArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new Error(`AsymmetricDense '${this.name}': units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
    this.useBias = args.useBias ?? true;
    this.ruleName = args.rule ?? 'bp';
    this.seed = args.seed ?? freshSeed();
    this.inputSpec = [{ ndim: 2 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const inFeatures = shape[1];
    if (inFeatures == null) throw new Error(`AsymmetricDense '${this.name}': input features must be known`);
    const kernelShape = [inFeatures, this.units];
    const scale = feedbackScale('dense', kernelShape);
    const uniform = (seed: number) => initializers.randomUniform({ minval: -scale, maxval: scale, seed });
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', uniform(this.seed), undefined, true);
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.units], 'float32', uniform(this.seed + 1), undefined, true);
    }
    this.feedbackState = new LayerFeedback(
      this.ruleName,
      { kind: 'dense', kernelShape, scale, seed: this.seed },
      this.name,
    );
    this.feedbackState.build(this.kernel, (name, s) =>
      this.addWeight(name, s, 'float32', initializers.zeros(), undefined, false),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    return [shape[0], this.units] as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const kernel = this.kernel!.read() as tf.Tensor2D;
      const feedback = this.feedbackState!.feedback(kernel, kwargs?.training === true) as tf.Tensor2D;
      const bias = this.bias ? (this.bias.read() as tf.Tensor1D) : undefined;
      return asymmetricDense(x, kernel, feedback, bias, { name: this.name });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      useBias: this.useBias,
      rule: this.ruleName,
      seed: this.seed,
    };
  }
}

tf.serialization.registerClass(AsymmetricDense);
