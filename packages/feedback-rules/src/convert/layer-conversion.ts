import type * as tf from '@tensorflow/tfjs-core';
import { AsymmetricConv2D } from '../layers/asymmetric-conv2d-layer';
import { AsymmetricDense } from '../layers/asymmetric-dense-layer';

type Config = tf.serialization.ConfigDict;

/** What becomes of one layer of a tfjs model. */
export type LayerClass =
  | { kind: 'convertible'; className: 'Conv2D' | 'Dense' }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'other' };

/**
 * Layers whose weights carry errors backwards but which no asymmetric layer matches: converting the model
 * without them is an error unless the caller keeps them (they then learn with backprop).
 */
const UNSUPPORTED: Record<string, string> = {
  Conv1D: '1-D convolutions have no asymmetric layer',
  Conv3D: '3-D convolutions have no asymmetric layer',
  Conv2DTranspose: 'transposed convolutions have no asymmetric layer',
  Conv3DTranspose: 'transposed convolutions have no asymmetric layer',
  DepthwiseConv2D: 'depthwise convolutions have no asymmetric layer',
  SeparableConv2D: 'separable convolutions have no asymmetric layer',
  SimpleRNN: 'recurrent layers have no asymmetric layer',
  LSTM: 'recurrent layers have no asymmetric layer',
  GRU: 'recurrent layers have no asymmetric layer',
  RNN: 'recurrent layers have no asymmetric layer',
  ConvLSTM2D: 'recurrent layers have no asymmetric layer',
  Bidirectional: 'wrapped (recurrent) layers are not converted',
  TimeDistributed: 'wrapped layers are not converted',
};

const isOne = (v: unknown) => v === 1 || (Array.isArray(v) && v.every((d) => d === 1));
const dims = (v: unknown) => (Array.isArray(v) ? (v as number[]) : [v as number, v as number]);

/** Whether a layer (its class name and config) becomes an asymmetric layer, and if not, why. */
export function classifyLayer(className: string, config: Config): LayerClass {
  if (className in UNSUPPORTED) return { kind: 'unsupported', reason: UNSUPPORTED[className] };
  if (className !== 'Conv2D' && className !== 'Dense') return { kind: 'other' };
  if (config.activityRegularizer != null) {
    return { kind: 'unsupported', reason: 'it has an activity regularizer' };
  }
  if (className === 'Dense') return { kind: 'convertible', className };
  if (config.dataFormat !== 'channelsLast') {
    return { kind: 'unsupported', reason: `dataFormat '${config.dataFormat}' (only 'channelsLast' is)` };
  }
  if (!isOne(config.dilationRate)) {
    return {
      kind: 'unsupported',
      reason: `dilated (dilationRate ${JSON.stringify(config.dilationRate)}) convolutions are not`,
    };
  }
  const [kh, kw] = dims(config.kernelSize);
  if (kh !== kw) return { kind: 'unsupported', reason: `kernel ${kh}x${kw} is not square` };
  const [sh, sw] = dims(config.strides);
  if (sh !== sw) return { kind: 'unsupported', reason: `strides [${sh}, ${sw}] differ` };
  return { kind: 'convertible', className };
}

/** The rule's settings of one converted layer. */
export interface FeedbackSettings {
  rule: string;
  seed: number;
  feedbackScale?: number;
}

/**
 * The serialized asymmetric layer that replaces a tfjs `Conv2D` or `Dense` (given as its serialized config):
 * the same name, trainability, input shape, activation, initializers, regularizers and constraints, and the
 * padding as tfjs pads.
 */
export function asymmetricLayerConfig(
  className: 'Conv2D' | 'Dense',
  config: Config,
  settings: FeedbackSettings,
): { className: string; config: Config } {
  const feedback: Config = { rule: settings.rule, seed: settings.seed };
  if (settings.feedbackScale !== undefined) feedback.feedbackScale = settings.feedbackScale;
  if (className === 'Dense') {
    const { activityRegularizer, ...rest } = config;
    return { className: AsymmetricDense.className, config: { ...rest, ...feedback } };
  }
  const { kernelSize, strides, padding, dataFormat, dilationRate, activityRegularizer, ...rest } = config;
  return {
    className: AsymmetricConv2D.className,
    config: {
      ...rest,
      kernelSize: dims(kernelSize)[0],
      strides: dims(strides)[0],
      pad: padding,
      ...feedback,
    },
  };
}
