import {
  type CocoDetection,
  type CocoInstances,
  type DetectionBatch,
  evaluateBbox,
  resultsFromJson,
  summaryToJson,
  toCocoResults,
} from '@bioprop/coco-loader';
import { type PostProcessOptions, postProcess, type RetinaNet, retinaNetLosses } from '@bioprop/detection';
import { type BatchSource, type Metrics, shareSizes, type TrainingTask } from '@bioprop/trainer';
import * as tf from '@tensorflow/tfjs-core';

/** A batch's images as a tensor and its targets in the padded input's pixels. */
function targetsOf(batch: DetectionBatch) {
  return batch.boxes.map((boxes, i) => ({ boxes, labels: batch.labels[i] }));
}

/** Detections of a source in COCO's results format (original image coordinates, COCO category ids). */
export async function detectAll(
  net: RetinaNet,
  source: BatchSource<DetectionBatch>,
  instances: CocoInstances,
  options: PostProcessOptions = {},
): Promise<CocoDetection[]> {
  const results: CocoDetection[] = [];
  for await (const batch of source.epoch(0)) {
    const { anchors, perLevel } = net.anchorsFor(batch.shape[1], batch.shape[2]);
    const sizes = batch.meta.map((m) => [m.height, m.width] as [number, number]);
    const { classLogits, boxDeltas } = tf.tidy(() =>
      net.apply(tf.tensor4d(batch.images, batch.shape), false),
    );
    try {
      const dets = await postProcess(classLogits, boxDeltas, anchors, perLevel, sizes, options);
      dets.forEach((d, i) => {
        results.push(...toCocoResults(batch.meta[i], d.boxes, d.scores, d.labels, instances.categories));
      });
    } finally {
      tf.dispose([classLogits, boxDeltas]);
    }
  }
  return results;
}

/**
 * COCO's 12 bbox numbers (x100, as the reference runs report them; -100 where a size class has no object), over
 * `imageIds` (default every image of the ground truth).
 */
export function cocoMetrics(
  instances: CocoInstances,
  results: CocoDetection[],
  imageIds?: number[],
): Metrics {
  const summary = summaryToJson(evaluateBbox(instances, resultsFromJson(results, instances), { imageIds }));
  return Object.fromEntries(Object.entries(summary).map(([name, v]) => [name, v * 100]));
}

/**
 * Shares of a batch for data-parallel training: consecutive images with their targets, each share padded as the
 * batch is (the anchors are those of the batch's size). The losses are means over images, so the shares' losses
 * weighted by their sizes are the batch's.
 */
export function splitDetectionBatch(batch: DetectionBatch, parts: number): DetectionBatch[] {
  const [, h, w, c] = batch.shape;
  const pixels = h * w * c;
  let start = 0;
  return shareSizes(batch.shape[0], parts).map((n) => {
    const end = start + n;
    // Copies, not views: a share is sent to a worker, and a view would carry the whole batch's buffer.
    const share: DetectionBatch = {
      images: batch.images.slice(start * pixels, end * pixels),
      shape: [n, h, w, c],
      boxes: batch.boxes.slice(start, end),
      labels: batch.labels.slice(start, end),
      ignoreRegions: batch.ignoreRegions.slice(start, end),
      meta: batch.meta.slice(start, end),
    };
    start = end;
    return share;
  });
}

/**
 * RetinaNet training on COCO-format batches: the focal classification loss and the box-regression loss, summed
 * for the optimizer and logged apart; evaluation detects on the validation source and scores it as pycocotools.
 * A data-parallel replica, which never evaluates, passes no validation instances.
 */
export function detectionTask(
  net: RetinaNet,
  validation: CocoInstances | null,
  options: PostProcessOptions & { imageIds?: number[] } = {},
): TrainingTask<DetectionBatch> {
  return {
    batchSize: (batch) => batch.shape[0],
    trainingStep(_model, batch) {
      const x = tf.tensor4d(batch.images, batch.shape);
      const { classLogits, boxDeltas } = net.apply(x, true);
      const { anchors } = net.anchorsFor(batch.shape[1], batch.shape[2]);
      const { classification, boxRegression } = retinaNetLosses(
        classLogits,
        boxDeltas,
        anchors,
        targetsOf(batch),
      );
      return { loss: tf.add(classification, boxRegression) as tf.Scalar, classification, boxRegression };
    },
    split: splitDetectionBatch,
    async evaluate(_model, source) {
      if (!validation) throw new Error('this detection task has no validation instances to evaluate against');
      return cocoMetrics(validation, await detectAll(net, source, validation, options), options.imageIds);
    },
    describeMetrics: (m) =>
      `AP ${m.AP.toFixed(2)}, AP50 ${m.AP50.toFixed(2)}, AP75 ${m.AP75.toFixed(2)}, ` +
      `APs ${m.APs.toFixed(2)}, APm ${m.APm.toFixed(2)}, APl ${m.APl.toFixed(2)}`,
  };
}
