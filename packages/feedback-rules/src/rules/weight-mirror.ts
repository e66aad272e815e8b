import * as tf from '@tensorflow/tfjs-core';
import { matMul } from '../ops/mat-mul';
import type { FeedbackContext, FeedbackRule } from './feedback-rule';
import { mixSeed, randomFeedback } from './random-feedback';

/** Options of {@link createWeightMirror}; the defaults are those of Akrout et al.'s published code. */
export interface WeightMirrorOptions {
  /** Registry name of the rule. Default 'wm'. */
  name?: string;
  /** Mirror learning rate eta of `B += eta * x^T y`. Default 0.01 (`mirror_learning_rate` of Akrout's code). */
  learningRate?: number;
  /** Standard deviation of the zero-mean Gaussian noise x. Default 0.1 (Akrout's `noise_amplitude`). */
  noiseStd?: number;
  /** Noise samples per mirror phase. Default 128 (Akrout's code mirrors with the training batch size, 128). */
  batchSize?: number;
  /**
   * Weight decay on B after each mirror update: `B = (1 - decay) * (B + eta * x^T y)`. Default
   * `learningRate * batchSize * noiseStd^2` (0.0128), the decay whose fixed point is `B = W`: the expected
   * update is `eta * batchSize * noiseStd^2 * W`, so B becomes a running average of noisy estimates of W
   * over about `1 / decay` phases. (Akrout's code intends to rescale B instead, but its rescaling is
   * assigned to a loop variable and has no effect.)
   */
  decay?: number;
  /** Run the mirror phase after every N-th optimizer step. Default 1 (Akrout's code: after every batch). */
  every?: number;
}

/** The resolved options of a weight-mirror rule. */
export type WeightMirrorSettings = Required<Omit<WeightMirrorOptions, 'name'>>;

function resolve(opts: WeightMirrorOptions): WeightMirrorSettings {
  const learningRate = opts.learningRate ?? 0.01;
  const noiseStd = opts.noiseStd ?? 0.1;
  const batchSize = opts.batchSize ?? 128;
  const every = opts.every ?? 1;
  const who = `weight mirror '${opts.name ?? 'wm'}'`;
  if (!(learningRate > 0 && Number.isFinite(learningRate)))
    throw new Error(`${who}: learningRate must be a positive number, got ${opts.learningRate}`);
  if (!(noiseStd > 0 && Number.isFinite(noiseStd)))
    throw new Error(`${who}: noiseStd must be a positive number, got ${opts.noiseStd}`);
  for (const [key, v] of [
    ['batchSize', batchSize],
    ['every', every],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${who}: ${key} must be a positive integer, got ${v}`);
  }
  const decay = opts.decay ?? learningRate * batchSize * noiseStd * noiseStd;
  if (!(decay >= 0 && decay < 1))
    throw new Error(`${who}: decay must be in [0, 1), got ${opts.decay ?? decay}`);
  return { learningRate, noiseStd, batchSize, decay, every };
}

/**
 * The noise of one mirror phase: `[batchSize, in]` for a dense layer; for a conv layer `[batchSize, kh, kw, in]`,
 * one receptive field per sample, so that the convolution (stride 1, no padding) has one output position and
 * every sample is independent. A larger noise image would give more, but correlated, positions per sample
 * and cost a full convolution per layer.
 */
function mirrorNoise(ctx: FeedbackContext, s: WeightMirrorSettings, seed: number): tf.Tensor {
  const shape =
    ctx.kind === 'conv2d' ? [s.batchSize, ...ctx.kernelShape.slice(0, 3)] : [s.batchSize, ctx.kernelShape[0]];
  return tf.randomNormal(shape, 0, s.noiseStd, 'float32', seed);
}

/**
 * A weight-mirror rule (Akrout et al. 2019, "Deep learning without weight transport"). B starts as feedback
 * alignment's random B. In a mirror phase between training steps each layer is driven by zero-mean Gaussian
 * noise x, computes its output `y = x W` with its forward weights alone (no bias, batch norm or activation),
 * and learns `B = (1 - decay) * (B + eta * x^T y)`: since `E[x^T x] = n * std^2 * I`, B follows W. For a conv
 * layer this is the same update on its receptive fields: `x^T y` is the filter gradient of a convolution
 * whose output error is its own output.
 */
export function createWeightMirror(options: WeightMirrorOptions = {}): FeedbackRule & {
  readonly settings: WeightMirrorSettings;
} {
  const settings = resolve(options);
  const { learningRate, decay } = settings;
  return {
    name: options.name ?? 'wm',
    description: `weight mirror: B starts as fa and learns B += ${learningRate} x^T (x W) from noise (std ${settings.noiseStd}, ${settings.batchSize} samples, decay ${Number(decay.toPrecision(6))}) every ${settings.every} step(s)`,
    settings,
    // The same draw as `fa`: a wm run starts exactly where the fa run of that seed starts.
    state: [{ name: 'feedback', init: (_kernel, ctx) => randomFeedback(ctx, mixSeed(ctx.seed, 1)) }],
    feedback: ({ state }) => state.feedback,
    mirror: {
      every: settings.every,
      noise: (ctx, seed) => mirrorNoise(ctx, settings, seed),
      run({ kernel, state, assign, noise }) {
        // A conv kernel [kh, kw, in, out] applied to a [n, kh, kw, in] patch is the matrix product of the
        // flattened patch with the kernel flattened to [kh * kw * in, out] (both in HWC order).
        const rows = kernel.size / kernel.shape[kernel.rank - 1];
        const k = tf.reshape(kernel, [rows, -1]) as tf.Tensor2D;
        const x = tf.reshape(noise, [noise.shape[0], rows]) as tf.Tensor2D;
        const y = matMul(x, k);
        const grown = tf.add(
          state.feedback,
          tf.mul(tf.reshape(matMul(x, y, true, false), kernel.shape), learningRate),
        );
        assign('feedback', decay === 0 ? grown : tf.mul(grown, 1 - decay));
      },
    },
  };
}

/** The weight mirror with Akrout et al.'s defaults, registered as 'wm'. */
export const weightMirror = createWeightMirror();
