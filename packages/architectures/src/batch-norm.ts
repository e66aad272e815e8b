import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { batchNormTraining } from './batch-norm-training';

/** Configuration of {@link TorchBatchNorm}. */
export interface TorchBatchNormArgs extends LayerArgs {
  /** Added to the variance. Default 1e-5 (PyTorch). */
  eps?: number;
  /** PyTorch momentum: `running = (1 - momentum) * running + momentum * batch`. Default 0.1. */
  momentum?: number;
  /**
   * torchvision's `FrozenBatchNorm2d`: a fixed affine map from the running statistics, in training too; gamma and
   * beta are not trainable and the statistics never move. Default false.
   */
  frozen?: boolean;
}

/**
 * Batch norm over the last (channel) axis with PyTorch semantics (`BatchNorm2d` on NHWC, `BatchNorm1d` on
 * `[batch, features]`). Training (`kwargs.training === true`) normalizes with the biased batch variance and
 * updates the running statistics in the forward pass, the running variance with the unbiased batch variance;
 * inference uses the running statistics. Weights: `gamma` (1), `beta` (0), non-trainable `runningMean` (0) and
 * `runningVar` (1), all saved with the model. `frozen` makes it torchvision's `FrozenBatchNorm2d`.
 */
export class TorchBatchNorm extends layers.Layer {
  static className = 'TorchBatchNorm';
  readonly eps: number;
  readonly momentum: number;
  readonly frozen: boolean;
  gamma: LayerVariable | null = null;
  beta: LayerVariable | null = null;
  runningMean: LayerVariable | null = null;
  runningVar: LayerVariable | null = null;

  constructor(args: TorchBatchNormArgs = {}) {
    super(args);
    this.eps = args.eps ?? 1e-5;
    this.momentum = args.momentum ?? 0.1;
    this.frozen = args.frozen ?? false;
    if (!(this.eps > 0)) throw new Error(`TorchBatchNorm '${this.name}': eps must be > 0, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`TorchBatchNorm '${this.name}': momentum must be in [0, 1], got ${this.momentum}`);
    }
    this.supportsMasking = false;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[shape.length - 1];
    if (shape.length < 2 || channels == null) {
      throw new Error(`TorchBatchNorm '${this.name}': the channel (last) axis must be known, got [${shape}]`);
    }
    this.inputSpec = [{ ndim: shape.length, axes: { [shape.length - 1]: channels } }];
    const add = (name: string, init: ReturnType<typeof initializers.zeros>, trainable: boolean) =>
      this.addWeight(name, [channels], 'float32', init, undefined, trainable);
    this.gamma = add('gamma', initializers.ones(), !this.frozen);
    this.beta = add('beta', initializers.zeros(), !this.frozen);
    this.runningMean = add('runningMean', initializers.zeros(), false);
    this.runningVar = add('runningVar', initializers.ones(), false);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gamma = this.gamma!.read();
      const beta = this.beta!.read();
      if (kwargs?.training !== true || this.frozen) {
        return tf.batchNorm(x, this.runningMean!.read(), this.runningVar!.read(), beta, gamma, this.eps);
      }
      const n = x.size / x.shape[x.rank - 1];
      if (n < 2) {
        // PyTorch refuses too: the unbiased variance of one value is undefined.
        throw new Error(
          `TorchBatchNorm '${this.name}': training needs more than one value per channel, got input [${x.shape}]`,
        );
      }
      return batchNormTraining(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, this.eps, ({ mean, variance }) =>
        this.updateRunningStats(mean, variance, n),
      );
    });
  }

  /**
   * running = (1 - m) * running + m * batch, with the unbiased variance. Runs inside the forward pass; the
   * enclosing tidy frees the temporaries.
   */
  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const m = this.momentum;
    const batchMean = mean;
    const unbiased = tf.mul(variance, n / (n - 1));
    // `write` shares the new tensor's data with the variable; the enclosing tidy frees the temporaries.
    this.runningMean!.write(tf.add(tf.mul(this.runningMean!.read(), 1 - m), tf.mul(batchMean, m)));
    this.runningVar!.write(tf.add(tf.mul(this.runningVar!.read(), 1 - m), tf.mul(unbiased, m)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eps: this.eps, momentum: this.momentum, frozen: this.frozen };
  }
}

tf.serialization.registerClass(TorchBatchNorm);
