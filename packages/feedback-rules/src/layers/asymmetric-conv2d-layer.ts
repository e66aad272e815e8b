import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { asymmetricConv2d } from '../ops/asymmetric-conv2d';
import { feedbackScale } from '../ops/feedback-scale';
import { freshSeed, LayerFeedback } from './layer-feedback';

/**
 * How a conv kernel is initialised; the rule's feedback scale `s` is the standard deviation of this draw, so
 * that `sign(W) * s` and `N(0, s)` start at the scale of W.
 * - `'he-normal'`: `N(0, sqrt(2 / (kh * kw * out)))`, the paper's code (the default);
 * - `'fan-in-uniform'`: `U(-sqrt(3 / fan_in), sqrt(3 / fan_in))`, std `1 / sqrt(fan_in)` (PyTorch's
 *   `kaiming_uniform_(a=1)`, torchvision's FPN);
 * - `{ stddev }`: `N(0, stddev)` (torchvision's RetinaNet heads: 0.01).
 */
export type ConvKernelInit = 'he-normal' | 'fan-in-uniform' | { stddev: number };

/** Configuration of {@link AsymmetricConv2D}. */
export interface AsymmetricConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  /** Symmetric zero padding on each side (PyTorch `padding`). */
  pad?: number;
  useBias?: boolean;
  /** Kernel initialisation, which also sets the feedback scale. Default 'he-normal'. */
  kernelInit?: ConvKernelInit;
  /** Initial value of every bias (RetinaNet's classifier starts at a prior probability). Default 0. */
  biasInit?: number;
  /** Learning rule name: bp, ss, fa, frsf, brsf, fa-signed-init, or any registered rule. */
  rule?: string;
  /** Fixes the kernel init and the rule's random feedback. */
  seed?: number;
}

/**
 * A convolution layer (NHWC, `[kh, kw, in, out]` kernel) that sends errors back through the feedback of its
 * rule. Kernel init as the paper's code: `N(0, sqrt(2 / (kh * kw * out)))`. Feedback state is saved with the model.
 */
export class AsymmetricConv2D extends layers.Layer {
  static className = 'AsymmetricConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly pad: number;
  readonly useBias: boolean;
  readonly kernelInit: ConvKernelInit;
  readonly biasInit: number;
  readonly ruleName: string;
  readonly seed: number;
  kernel: LayerVariable | null = null;
  bias: LayerVariable | null = null;
  feedbackState: LayerFeedback | null = null;

  constructor(args: AsymmetricConv2DArgs) {
    super(args);
    const who = `AsymmetricConv2D '${this.name}'`;
    for (const key of ['filters', 'kernelSize'] as const) {
      if (!Number.isInteger(args[key]) || args[key] < 1) {
        throw new Error(`${who}: ${key} must be a positive integer, got ${args[key]}`);
      }
    }
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.pad = args.pad ?? 0;
    this.useBias = args.useBias ?? false;
    this.kernelInit = args.kernelInit ?? 'he-normal';
    const init = this.kernelInit;
    if (init !== 'he-normal' && init !== 'fan-in-uniform' && !(typeof init === 'object' && init.stddev > 0)) {
      throw new Error(
        `${who}: kernelInit must be 'he-normal', 'fan-in-uniform' or { stddev > 0 }, got ${JSON.stringify(init)}`,
      );
    }
    this.biasInit = args.biasInit ?? 0;
    if (!Number.isFinite(this.biasInit))
      throw new Error(`${who}: biasInit must be finite, got ${args.biasInit}`);
    this.ruleName = args.rule ?? 'bp';
    this.seed = args.seed ?? freshSeed();
    this.inputSpec = [{ ndim: 4 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const inChannels = shape[3];
    if (inChannels == null) throw new Error(`AsymmetricConv2D '${this.name}': input channels must be known`);
    const kernelShape = [this.kernelSize, this.kernelSize, inChannels, this.filters];
    const fanIn = this.kernelSize * this.kernelSize * inChannels;
    const init = this.kernelInit;
    const scale =
      init === 'he-normal'
        ? feedbackScale('conv2d', kernelShape)
        : init === 'fan-in-uniform'
          ? 1 / Math.sqrt(fanIn)
          : init.stddev;
    const bound = Math.sqrt(3) * scale;
    this.kernel = this.addWeight(
      'kernel',
      kernelShape,
      'float32',
      init === 'fan-in-uniform'
        ? initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.seed })
        : initializers.randomNormal({ mean: 0, stddev: scale, seed: this.seed }),
      undefined,
      true,
    );
    if (this.useBias) {
      const biasInit = initializers.constant({ value: this.biasInit });
      this.bias = this.addWeight('bias', [this.filters], 'float32', biasInit, undefined, true);
    }
    this.feedbackState = new LayerFeedback(
      this.ruleName,
      { kind: 'conv2d', kernelShape, scale, seed: this.seed },
      this.name,
    );
    this.feedbackState.build(this.kernel, (name, s) =>
      this.addWeight(name, s, 'float32', initializers.zeros(), undefined, false),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const out = (n: number | null) =>
      n == null ? null : Math.floor((n + 2 * this.pad - this.kernelSize) / this.strides) + 1;
    return [shape[0], out(shape[1]), out(shape[2]), this.filters] as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const kernel = this.kernel!.read() as tf.Tensor4D;
      const feedback = this.feedbackState!.feedback(kernel, kwargs?.training === true) as tf.Tensor4D;
      const y = asymmetricConv2d(x, kernel, feedback, {
        strides: this.strides,
        pad: this.pad,
        name: this.name,
      });
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      pad: this.pad,
      useBias: this.useBias,
      kernelInit: this.kernelInit,
      biasInit: this.biasInit,
      rule: this.ruleName,
      seed: this.seed,
    };
  }
}

tf.serialization.registerClass(AsymmetricConv2D);
