import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AsymmetricConv2D } from '../layers/asymmetric-conv2d-layer';
import { AsymmetricDense } from '../layers/asymmetric-dense-layer';
import type { LearnedFeedbackSnapshot, LearnedFeedbackVectors } from './reference';

/**
 * The network of `make_learned_feedback_vectors.py` (conv1, conv2, fc1 with `rule`; fc2 backprop), holding the
 * reference's initial weights and feedback.
 */
export function learnedFeedbackNet(ref: LearnedFeedbackVectors, rule: string): tfl.LayersModel {
  const [, h, w, c] = ref.inputShape;
  const input = tfl.input({ shape: [h, w, c] });
  let x = new AsymmetricConv2D({ name: 'conv1', filters: 3, kernelSize: 3, pad: 1, rule, seed: 1 }).apply(
    input,
  );
  x = tfl.layers.reLU().apply(x);
  x = new AsymmetricConv2D({
    name: 'conv2',
    filters: 4,
    kernelSize: 3,
    strides: 2,
    pad: 1,
    rule,
    seed: 2,
  }).apply(x);
  x = tfl.layers.reLU().apply(x);
  x = tfl.layers.flatten().apply(x);
  x = new AsymmetricDense({ name: 'fc1', units: 5, rule, seed: 3 }).apply(x);
  x = tfl.layers.reLU().apply(x);
  const out = new AsymmetricDense({ name: 'fc2', units: ref.classes, rule: 'bp', seed: 4 }).apply(x);
  const model = tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
  for (const layer of model.layers) {
    if (!(layer instanceof AsymmetricConv2D || layer instanceof AsymmetricDense)) continue;
    const set = (v: tfl.LayerVariable, data: number[]) =>
      v.write(tf.tensor(data, v.shape as number[], 'float32'));
    set(layer.kernel!, ref.initial.params[layer.name]);
    if (layer.bias) set(layer.bias, ref.initial.params[`${layer.name}.bias`]);
    const fb = layer.feedbackState!.stateWeights.feedback;
    if (fb) set(fb, ref.initial.feedback[layer.name]);
  }
  return model;
}

/** The largest relative error of the model's weights and feedback against a reference snapshot, and where. */
export function worstSnapshotError(
  model: tfl.LayersModel,
  expected: LearnedFeedbackSnapshot,
  relativeError: (a: ArrayLike<number>, b: ArrayLike<number>) => number,
): { error: number; where: string } {
  let worst = { error: 0, where: '' };
  const check = (where: string, v: tfl.LayerVariable, data: number[]) => {
    const error = relativeError(v.read().dataSync(), data);
    if (error > worst.error || !worst.where) worst = { error, where };
  };
  for (const layer of model.layers) {
    if (!(layer instanceof AsymmetricConv2D || layer instanceof AsymmetricDense)) continue;
    check(`${layer.name} W`, layer.kernel!, expected.params[layer.name]);
    if (layer.bias) check(`${layer.name} bias`, layer.bias, expected.params[`${layer.name}.bias`]);
    const fb = layer.feedbackState!.stateWeights.feedback;
    if (fb && expected.feedback[layer.name]) check(`${layer.name} B`, fb, expected.feedback[layer.name]);
  }
  return worst;
}
