import { join } from 'node:path';
import { evaluateBbox, formatSummary, readResults, summaryToJson, writeResults } from '@bioprop/coco-loader';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { openDetectionData } from './detection-data';
import type { DetectionRunConfig } from './detection-presets';
import { detectAll } from './detection-task';
import { detectorFor } from './train-detection';

/** Options of `repro eval` that a detection run reads. */
export interface DetectionEvalOptions {
  run: string;
  data?: string;
  /** Where the COCO results JSON goes (default `<run>/detections_val.json`). */
  results?: string;
  /** Overrides the run's score threshold (torchvision's 0.05; 0 keeps every candidate up to the per-image cap). */
  scoreThresh?: number;
  json?: boolean;
}

/**
 * Detects on a detection run's validation images with its checkpoint, writes the detections in COCO's results
 * format and scores them as pycocotools does: the 12-line summary, or one JSON object.
 */
export async function evalDetection(
  config: DetectionRunConfig,
  restore: (model: LayersModel) => string,
  opts: DetectionEvalOptions,
): Promise<string> {
  const net = detectorFor(config);
  const at = restore(net.model);
  const data = await openDetectionData(config, opts.data);
  const imageIds = data.valImageIds;
  const detections = await detectAll(net, data.val, data.valInstances, {
    scoreThresh: opts.scoreThresh ?? config.scoreThresh,
    nmsThresh: config.nmsThresh,
    detectionsPerImage: config.detectionsPerImage,
  });
  const resultsPath = opts.results ?? join(opts.run, 'detections_val.json');
  await writeResults(resultsPath, detections);
  // Scored from the file, as `repro coco-eval` would score it.
  const summary = evaluateBbox(data.valInstances, await readResults(resultsPath, data.valInstances), {
    imageIds,
  });
  if (opts.json) {
    return `${JSON.stringify({ run: opts.run, at, images: imageIds.length, detections: detections.length, results: resultsPath, ...summaryToJson(summary) })}\n`;
  }
  return `${opts.run} ${at}: ${detections.length} detections on ${imageIds.length} images, written to ${resultsPath}\n${formatSummary(summary)}\n`;
}
