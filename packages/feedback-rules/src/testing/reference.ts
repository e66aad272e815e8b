import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's PyTorch reference folder (`reference/` at the root; its README says how it was made). */
export function referenceDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', '..', '..', 'reference');
}

export interface ConvCase {
  kind: 'conv2d';
  inputShape: number[];
  filterShape: number[];
  strides: number;
  padding: number;
  outputShape: number[];
  ssScale: number;
  x: number[];
  filter: number[];
  dy: number[];
  y: number[];
  faFeedback: number[];
  dx: Record<'bp' | 'ss' | 'fa', number[]>;
  dFilter: number[];
}

export interface DenseCase {
  kind: 'dense';
  inputShape: number[];
  kernelShape: number[];
  ssScale: number;
  x: number[];
  kernel: number[];
  bias: number[];
  dy: number[];
  y: number[];
  faFeedback: number[];
  dx: Record<'bp' | 'ss' | 'fa', number[]>;
  dKernel: number[];
  dBias: number[];
}

export interface SgdCase {
  variant: 'sgd' | 'batch-manhattan' | 'no-sign-change';
  lr: number;
  momentum: number;
  weightDecay: number;
  lowerBound: number;
  param0: number[];
  grads: number[][];
  params: number[][];
}

export interface FeedbackVectors {
  cases: (ConvCase | DenseCase)[];
  sgd: SgdCase[];
}

/** The PyTorch float64 vectors of `feedback-vectors.json`. */
export function loadFeedbackVectors(): FeedbackVectors {
  return JSON.parse(readFileSync(join(referenceDir(), 'feedback-vectors.json'), 'utf8'));
}

/** ||a - b|| / ||b||, the relative error used against float64 references. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} differs from expected ${expected.length}`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num += (actual[i] - expected[i]) ** 2;
    den += expected[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** Weights (`params`, by layer name and `<layer>.bias`) and feedback B of the rule layers at one moment. */
export interface LearnedFeedbackSnapshot {
  params: Record<string, number[]>;
  feedback: Record<string, number[]>;
}

/** The PyTorch float64 trajectories of `learned-feedback-vectors.json` (kp and wm, three steps each). */
export interface LearnedFeedbackVectors {
  optimizer: { lr: number; momentum: number; weightDecay: number };
  mirror: { learningRate: number; batchSize: number; decay: number; noiseStd: number };
  ruleLayers: string[];
  inputShape: number[];
  classes: number;
  initial: LearnedFeedbackSnapshot;
  batches: { x: number[]; labels: number[] }[];
  /** Per step, the mirror noise of each rule layer. */
  noise: Record<string, { shape: number[]; data: number[] }>[];
  kp: (LearnedFeedbackSnapshot & { loss: number })[];
  wm: (LearnedFeedbackSnapshot & { loss: number })[];
}

/** Reads `learned-feedback-vectors.json` (made by `pytorch/make_learned_feedback_vectors.py`). */
export function loadLearnedFeedbackVectors(): LearnedFeedbackVectors {
  return JSON.parse(readFileSync(join(referenceDir(), 'learned-feedback-vectors.json'), 'utf8'));
}
