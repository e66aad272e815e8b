import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's PyTorch reference folder (`reference/` at the root; its README says how it was made). */
export function referenceDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', '..', '..', 'reference');
}

/** A tensor of the reference file: flat row-major data in tfjs layout (conv HWIO, dense [in, out]). */
export interface ReferenceTensor {
  shape: number[];
  data: number[];
}

/** Results of one rule in `resnet-tiny-vectors.json`. */
export interface ReferenceRuleResult {
  logits: number[];
  loss: number;
  grads: Record<string, ReferenceTensor>;
  bnRunningAfterForward: Record<string, number[]>;
}

/** `resnet-tiny-vectors.json`: a width-4 ResNet-18 (small stem, 1 channel, 3 classes, 8x8, batch 4). */
export interface ResNetTinyVectors {
  generator: string;
  input: ReferenceTensor;
  labels: number[];
  /** PyTorch state_dict keys, tfjs layouts. */
  params: Record<string, ReferenceTensor>;
  /** fa feedback by weight key (`stem.0.weight`), tfjs layouts; the classifier has none (it uses bp). */
  faFeedback: Record<string, ReferenceTensor>;
  rules: Record<'bp' | 'ss' | 'fa', ReferenceRuleResult>;
}

/** The PyTorch float64 vectors of `resnet-tiny-vectors.json`. */
export function loadResNetTinyVectors(): ResNetTinyVectors {
  return JSON.parse(readFileSync(join(referenceDir(), 'resnet-tiny-vectors.json'), 'utf8'));
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
