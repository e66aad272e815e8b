import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's PyTorch reference folder (`reference/` at the root; its README says how it was made). */
export function referenceDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', '..', '..', 'reference');
}

/** One anchor case: the generator's settings and its anchors (all rows, or sampled rows for large cases). */
export interface ReferenceAnchors {
  name: string;
  imageSize: [number, number];
  featureSizes: [number, number][];
  sizes: number[][];
  aspectRatios: number[];
  count: number;
  anchorsPerLevel: number[];
  data?: number[];
  rows?: number[];
  rowData?: number[];
}

/** Boxes and labels of one image. */
export interface ReferenceTarget {
  boxes: number[];
  labels: number[];
}

/** One post-processing case; `inputsFrom` names a case whose logits and deltas it reuses. */
export interface ReferencePostProcess {
  name: string;
  anchors: string;
  anchorsPerLevel: number[];
  numClasses: number;
  imageSizes: [number, number][];
  options: { scoreThresh: number; nmsThresh: number; detectionsPerImage: number; topkCandidates: number };
  clsLogits?: number[];
  boxDeltas?: number[];
  inputsFrom?: string;
  detections: { boxes: number[]; scores: number[]; labels: number[] }[];
}

/** `detection-parts-vectors.json` (made by `reference/pytorch/make_detection_parts_vectors.py`). */
export interface DetectionPartsVectors {
  generator: string;
  anchorSizes: { base: number[]; sizes: number[] };
  anchors: ReferenceAnchors[];
  boxCoder: {
    encode: { weights: number[]; referenceBoxes: number[]; proposals: number[]; targets: number[] }[];
    decode: { weights: number[]; relCodes: number[]; boxes: number[]; decoded: number[] }[];
  };
  matcher: { name: string; anchors: string; boxes: number[]; matches: number[] }[];
  focal: {
    alpha: number;
    gamma: number;
    logits: number[];
    targets: number[];
    loss: number[];
    gradOfSum: number[];
  }[];
  losses: {
    anchors: string;
    numClasses: number;
    targets: ReferenceTarget[];
    matches: number[][];
    clsLogits: number[];
    boxDeltas: number[];
    classification: number;
    gradClsLogits: number[];
    boxLosses: { boxLoss: 'l1' | 'smooth_l1' | 'giou'; boxRegression: number; gradBoxDeltas: number[] }[];
    emptyBatch: { classification: number; boxRegression: number };
  };
  postProcess: ReferencePostProcess[];
  batchedNms: {
    name: string;
    iouThreshold: number;
    boxes: number[];
    scores: number[];
    labels: number[];
    keep: number[];
  }[];
}

let cached: DetectionPartsVectors | undefined;

/** The PyTorch float64 vectors of `detection-parts-vectors.json` (parsed once per test file). */
export function loadDetectionPartsVectors(): DetectionPartsVectors {
  cached ??= JSON.parse(readFileSync(join(referenceDir(), 'detection-parts-vectors.json'), 'utf8'));
  return cached!;
}

/** The anchors of a named reference case, all rows (only cases stored in full). */
export function referenceAnchors(name: string): Float32Array {
  const found = loadDetectionPartsVectors().anchors.find((c) => c.name === name);
  if (!found?.data) throw new Error(`no full anchors named '${name}' in the reference`);
  return Float32Array.from(found.data);
}

/** max |a - b| over the elements. */
export function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} differs from expected ${expected.length}`);
  }
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

/** max |a - b| / max(|b|, floor): relative error that does not blow up on values near zero. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} differs from expected ${expected.length}`);
  }
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor));
  }
  return worst;
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
