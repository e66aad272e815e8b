import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AsymmetricConv2D, AsymmetricDense } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BatchSource, ImageBatch } from '../batch-source';
import { relativeError } from './relative-error';

/** Weights (`params`, by layer name and `<layer>.bias`) and feedback B of the rule layers at one moment. */
export interface Snapshot {
  params: Record<string, number[]>;
  feedback: Record<string, number[]>;
}

/** `reference/learned-feedback-vectors.json` (made by `pytorch/make_learned_feedback_vectors.py`). */
export interface LearnedFeedbackVectors {
  optimizer: { lr: number; momentum: number; weightDecay: number };
  mirror: { learningRate: number; batchSize: number; decay: number; noiseStd: number };
  ruleLayers: string[];
  inputShape: [number, number, number, number];
  classes: number;
  initial: Snapshot;
  batches: { x: number[]; labels: number[] }[];
  noise: Record<string, { shape: number[]; data: number[] }>[];
  kp: Snapshot[];
  wm: Snapshot[];
}

export function loadLearnedFeedbackVectors(): LearnedFeedbackVectors {
  const here = dirname(fileURLToPath(import.meta.url));
  return JSON.parse(
    readFileSync(join(here, '..', '..', '..', '..', 'reference', 'learned-feedback-vectors.json'), 'utf8'),
  );
}

/** The reference network (conv1, conv2, fc1 with `rule`, fc2 backprop) with the reference's initial state. */
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

/** The reference's three batches, one epoch, in order. */
export function referenceBatches(ref: LearnedFeedbackVectors): BatchSource<ImageBatch> {
  return {
    batchesPerEpoch: ref.batches.length,
    *epoch(_epoch, start = {}) {
      for (const b of ref.batches.slice(start.startBatch ?? 0)) {
        yield { images: Float32Array.from(b.x), labels: Int32Array.from(b.labels), shape: ref.inputShape };
      }
    },
  };
}

/** The largest relative error of the model's weights and feedback against a snapshot, and where. */
export function worstSnapshotError(
  model: tfl.LayersModel,
  expected: Snapshot,
): { error: number; where: string } {
  let worst = { error: -1, where: '' };
  const check = (where: string, v: tfl.LayerVariable, data: number[]) => {
    const error = relativeError(v.read().dataSync(), data);
    if (error > worst.error) worst = { error, where };
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
