import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { asymmetricConv2d } from '../ops/asymmetric-conv2d';
import { type ConvPadding, convOutputSize, paddingError } from '../ops/conv-geometry';
import { feedbackScale } from '../ops/feedback-scale';
import { type KerasLayerOptions, type ResolvedKerasOptions, resolveKerasOptions } from './keras-options';
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

/**
 * Configuration of {@link AsymmetricConv2D}. Besides its own options it takes tfjs `Conv2D`'s activation,
 * initializers, regularizers and constraints ({@link KerasLayerOptions}), so that a converted tfjs layer keeps
 * its configuration.
 */
export interface AsymmetricConv2DArgs extends LayerArgs, KerasLayerOptions {
  filters: number;
  kernelSize: number;
  strides?: number;
  /**
   * Zero padding: a number on each side (PyTorch `padding`, the default 0), tfjs's `'same'` or `'valid'`, or
   * explicit pads per side ({@link ConvPadding}).
   */
  pad?: ConvPadding;
  useBias?: boolean;
  /** Kernel initialisation, which also sets the feedback scale. Default 'he-normal'; not with `kernelInitializer`. */
  kernelInit?: ConvKernelInit;
  /** Initial value of every bias (RetinaNet's classifier starts at a prior probability). Default 0; not with `biasInitializer`. */
  biasInit?: number;
  /** Learning rule name: bp, ss, fa, frsf, brsf, fa-signed-init, kp, wm, or any registered rule. */
  rule?: string;
  /** Fixes the kernel init and the rule's random feedback. */
  seed?: number;
  /**
   * The rule's feedback scale `s`. Default: the standard deviation of `kernelInit`'s draw, or with a
   * `kernelInitializer` the paper's `sqrt(2 / (kh * kw * out))`.
   */
  feedbackScale?: number;
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
  readonly pad: ConvPadding;
  readonly useBias: boolean;
  readonly kernelInit: ConvKernelInit;
  readonly biasInit: number;
  readonly ruleName: string;
  readonly seed: number;
  /** The feedback scale given in the config, if any. */
  readonly feedbackScale: number | undefined;
  kernel: LayerVariable | null = null;
  bias: LayerVariable | null = null;
  feedbackState: LayerFeedback | null = null;
  private readonly keras: ResolvedKerasOptions;

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
    const badPad = paddingError(this.pad);
    if (badPad) throw new Error(`${who}: ${badPad}`);
    for (const [own, keras] of [
      ['kernelInit', 'kernelInitializer'],
      ['biasInit', 'biasInitializer'],
    ] as const) {
      if (args[own] != null && args[keras] != null)
        throw new Error(`${who}: give ${own} or ${keras}, not both`);
    }
    this.keras = resolveKerasOptions(args, who);
    if (args.feedbackScale != null && !(args.feedbackScale > 0)) {
      throw new Error(`${who}: feedbackScale must be positive, got ${args.feedbackScale}`);
    }
    this.feedbackScale = args.feedbackScale;
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
    const keras = this.keras;
    const drawScale =
      init === 'he-normal' || keras.kernelInitializer
        ? feedbackScale('conv2d', kernelShape)
        : init === 'fan-in-uniform'
          ? 1 / Math.sqrt(fanIn)
          : init.stddev;
    const scale = this.feedbackScale ?? drawScale;
    const bound = Math.sqrt(3) * drawScale;
    this.kernel = this.addWeight(
      'kernel',
      kernelShape,
      'float32',
      keras.kernelInitializer ??
        (init === 'fan-in-uniform'
          ? initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.seed })
          : initializers.randomNormal({ mean: 0, stddev: drawScale, seed: this.seed })),
      keras.kernelRegularizer ?? undefined,
      true,
      keras.kernelConstraint ?? undefined,
    );
    if (this.useBias) {
      const biasInit = keras.biasInitializer ?? initializers.constant({ value: this.biasInit });
      this.bias = this.addWeight(
        'bias',
        [this.filters],
        'float32',
        biasInit,
        keras.biasRegularizer ?? undefined,
        true,
        keras.biasConstraint ?? undefined,
      );
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
    const k = this.kernelSize;
    return [
      shape[0],
      convOutputSize(shape[1], k, this.strides, this.pad, 0),
      convOutputSize(shape[2], k, this.strides, this.pad, 1),
      this.filters,
    ] as Shape;
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
      const out = this.bias ? tf.add(y, this.bias.read()) : y;
      return this.keras.activation ? this.keras.activation.apply(out) : out;
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
      // The layer's own init options, unless tfjs initializers replace them (a converted tfjs layer).
      ...(this.keras.kernelInitializer ? {} : { kernelInit: this.kernelInit }),
      ...(this.keras.biasInitializer ? {} : { biasInit: this.biasInit }),
      ...this.keras.config,
      rule: this.ruleName,
      seed: this.seed,
      ...(this.feedbackScale === undefined ? {} : { feedbackScale: this.feedbackScale }),
    };
  }
}

tf.serialization.registerClass(AsymmetricConv2D);
