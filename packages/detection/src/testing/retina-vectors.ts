import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { referenceDir } from './reference';

/** A tensor of the reference file: flat row-major data in tfjs layout (conv HWIO). */
export interface ReferenceTensor {
  shape: number[];
  data: number[];
}

/** Results of one rule in `retina-tiny-vectors.json`. */
export interface RetinaRuleResult {
  classificationLoss: number;
  boxLoss: number;
  grads: Record<string, ReferenceTensor>;
  bnRunningAfterForward: Record<string, number[]>;
}

/** `retina-tiny-vectors.json` (reference/pytorch/make_retina_vectors.py). */
export interface RetinaTinyVectors {
  generator: string;
  config: {
    width: number;
    in_ch: number;
    fpn_channels: number;
    classes: number;
    image_size: number;
    base_anchor: number;
  };
  normalize: { mean: number; std: number };
  images: ReferenceTensor;
  targets: { boxes: number[]; labels: number[] }[];
  params: Record<string, ReferenceTensor>;
  faFeedback: Record<string, ReferenceTensor>;
  rules: Record<'bp' | 'ss' | 'fa', RetinaRuleResult>;
  anchors: ReferenceTensor;
  anchorsPerLevel: number[];
  detectionsEval: {
    scoreThresh: number;
    nmsThresh: number;
    detectionsPerImage: number;
    topkCandidates: number;
    images: { boxes: number[]; scores: number[]; labels: number[] }[];
  };
}

/**
 * The vectors: the repository's seed-0 file, or the file named by `BIOPROP_RETINA_VECTORS` (to check other seeds
 * made with the same script without a code change).
 */
export function loadRetinaTinyVectors(): RetinaTinyVectors {
  const path = process.env.BIOPROP_RETINA_VECTORS ?? join(referenceDir(), 'retina-tiny-vectors.json');
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The torchvision state_dict key of a tfjs weight (`layer/kernel` -> `layer.weight`, BN gamma -> weight, ...). */
export function torchKey(originalName: string): string {
  const cut = originalName.lastIndexOf('/');
  const layer = originalName.slice(0, cut);
  const short = originalName.slice(cut + 1);
  const torch: Record<string, string> = {
    kernel: 'weight',
    bias: 'bias',
    gamma: 'weight',
    beta: 'bias',
    runningMean: 'running_mean',
    runningVar: 'running_var',
    feedback: 'weight', // fa's fixed feedback, stored under the weight's key in the reference file
  };
  if (!torch[short]) throw new Error(`no torchvision name for weight '${originalName}'`);
  return `${layer}.${torch[short]}`;
}

/** Writes the reference parameters (and, for fa, the feedback) into a model; every trainable weight must be set. */
export function loadReferenceWeights(model: LayersModel, v: RetinaTinyVectors): void {
  for (const w of model.weights) {
    const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    if (short === 'runningMean' || short === 'runningVar') continue; // start at PyTorch's 0 and 1
    const source = short === 'feedback' ? v.faFeedback : v.params;
    const ref = source[torchKey(w.originalName)];
    if (!ref)
      throw new Error(`the reference has no value for '${w.originalName}' (${torchKey(w.originalName)})`);
    const t = tf.tensor(ref.data, ref.shape, 'float32');
    w.write(t);
    t.dispose();
  }
}
