import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';

/** Configuration of {@link PaddedMaxPool2D}. */
export interface PaddedMaxPool2DArgs extends LayerArgs {
  poolSize: number;
  strides?: number;
  /** Symmetric padding on each side (PyTorch `padding`). Default 0. */
  pad?: number;
}

/**
 * Max pooling (NHWC) with PyTorch's symmetric padding and floor rounding, which tfjs-layers' `maxPooling2d`
 * ('valid' / 'same') cannot express. tf.maxPool with a numeric pad skips padded cells (checked on the cpu and
 * wasm backends), which equals PyTorch's -inf padding.
 */
export class PaddedMaxPool2D extends layers.Layer {
  static className = 'PaddedMaxPool2D';
  readonly poolSize: number;
  readonly strides: number;
  readonly pad: number;

  constructor(args: PaddedMaxPool2DArgs) {
    super(args);
    this.poolSize = args.poolSize;
    this.strides = args.strides ?? args.poolSize;
    this.pad = args.pad ?? 0;
    for (const [key, v, min] of [
      ['poolSize', this.poolSize, 1],
      ['strides', this.strides, 1],
      ['pad', this.pad, 0],
    ] as const) {
      if (!Number.isInteger(v) || v < min) {
        throw new Error(`PaddedMaxPool2D '${this.name}': ${key} must be an integer >= ${min}, got ${v}`);
      }
    }
    if (2 * this.pad > this.poolSize) {
      // PyTorch's rule: a window must always hold at least one real cell.
      throw new Error(`PaddedMaxPool2D '${this.name}': pad ${this.pad} exceeds half the pool size`);
    }
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const out = (n: number | null) =>
      n == null ? null : Math.floor((n + 2 * this.pad - this.poolSize) / this.strides) + 1;
    return [shape[0], out(shape[1]), out(shape[2]), shape[3]] as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      return tf.maxPool(x, this.poolSize, this.strides, this.pad, 'floor');
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, pad: this.pad };
  }
}

tf.serialization.registerClass(PaddedMaxPool2D);
