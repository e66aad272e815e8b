import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';

/** Configuration of {@link GroupNorm}. */
export interface GroupNormArgs extends LayerArgs {
  /** Groups of consecutive channels normalised together; must divide the channels. */
  groups: number;
  /** Added to the variance. Default 1e-5 (PyTorch). */
  eps?: number;
}

/**
 * PyTorch's `nn.GroupNorm` on NHWC feature maps: the channels are split into `groups` runs of consecutive
 * channels, each normalised over its channels and all positions of one image with the biased variance, then
 * scaled by `gamma` (1) and shifted by `beta` (0) per channel. The same in training and inference (no running
 * statistics), which is why torchvision's v2 detection heads use it: it does not depend on the batch.
 */
export class GroupNorm extends layers.Layer {
  static className = 'GroupNorm';
  readonly groups: number;
  readonly eps: number;
  gamma: LayerVariable | null = null;
  beta: LayerVariable | null = null;

  constructor(args: GroupNormArgs) {
    super(args);
    this.groups = args.groups;
    this.eps = args.eps ?? 1e-5;
    if (!(Number.isInteger(this.groups) && this.groups > 0)) {
      throw new Error(`GroupNorm '${this.name}': groups must be a positive integer, got ${args.groups}`);
    }
    if (!(this.eps > 0)) throw new Error(`GroupNorm '${this.name}': eps must be > 0, got ${this.eps}`);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[shape.length - 1];
    if (shape.length !== 4 || channels == null) {
      throw new Error(`GroupNorm '${this.name}': expects NHWC input with known channels, got [${shape}]`);
    }
    if (channels % this.groups !== 0) {
      throw new Error(`GroupNorm '${this.name}': ${this.groups} groups do not divide ${channels} channels`);
    }
    this.inputSpec = [{ ndim: 4, axes: { 3: channels } }];
    this.gamma = this.addWeight('gamma', [channels], 'float32', initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const grouped = tf.reshape(x, [n, h, w, this.groups, c / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
      const normalised = tf.reshape(
        tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.eps))),
        x.shape,
      );
      return tf.add(tf.mul(normalised, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, eps: this.eps };
  }
}

tf.serialization.registerClass(GroupNorm);
