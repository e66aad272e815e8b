import { type CocoEvalResult, evaluateBbox } from './coco-eval.js';
import { readResults } from './detection-results.js';
import { readInstances } from './instances-reader.js';

/** Evaluates a results file against an instances file (what `repro coco-eval --gt --dt` runs). */
export async function cocoEvalFiles(gtPath: string, dtPath: string): Promise<CocoEvalResult> {
  const gt = await readInstances(gtPath);
  const dt = await readResults(dtPath, gt);
  return evaluateBbox(gt, dt);
}
