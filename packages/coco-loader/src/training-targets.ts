import type { CocoInstances } from './coco-instances.js';

/** Boxes of one image for training, in original pixel coordinates. */
export interface TrainingTargets {
  /** [x1, y1, x2, y2] per object, clipped to the image. */
  boxes: Float32Array;
  /** Contiguous category index per object. */
  labels: Int32Array;
  /** Crowd regions [x1, y1, x2, y2]: anchors overlapping them should be neither positive nor negative. */
  ignoreRegions: Float32Array;
  /** Objects dropped because, clipped to the image, they were under minSize wide or high. */
  droppedTiny: number;
}

/** Options of the training targets. */
export interface TargetOptions {
  /** Smallest width and height of a kept box, in pixels (default 1). */
  minSize?: number;
}

/** The training targets of image i: non-crowd boxes and labels, crowds kept apart, tiny boxes dropped. */
export function trainingTargets(
  inst: CocoInstances,
  i: number,
  options: TargetOptions = {},
): TrainingTargets {
  const minSize = options.minSize ?? 1;
  const W = inst.images.widths[i];
  const H = inst.images.heights[i];
  const a = inst.annotations;
  const boxes: number[] = [];
  const labels: number[] = [];
  const ignore: number[] = [];
  let droppedTiny = 0;
  for (const j of inst.annotationsOfImage(i)) {
    const x1 = Math.max(0, a.bboxes[j * 4]);
    const y1 = Math.max(0, a.bboxes[j * 4 + 1]);
    const x2 = Math.min(W, a.bboxes[j * 4] + a.bboxes[j * 4 + 2]);
    const y2 = Math.min(H, a.bboxes[j * 4 + 1] + a.bboxes[j * 4 + 3]);
    if (a.iscrowd[j]) {
      if (x2 > x1 && y2 > y1) ignore.push(x1, y1, x2, y2);
      continue;
    }
    if (x2 - x1 < minSize || y2 - y1 < minSize) {
      droppedTiny++;
      continue;
    }
    boxes.push(x1, y1, x2, y2);
    labels.push(a.categoryIndex[j]);
  }
  return {
    boxes: Float32Array.from(boxes),
    labels: Int32Array.from(labels),
    ignoreRegions: Float32Array.from(ignore),
    droppedTiny,
  };
}

/** Counts over a whole instances file, for logs and reports. */
export interface TargetCounts {
  images: number;
  /** Images with at least one kept box (the ones trained on by default). */
  imagesWithBoxes: number;
  boxes: number;
  crowdRegions: number;
  droppedTiny: number;
}

/** Indices of the images to train on: those with a kept box, or all with includeEmpty. Also the counts. */
export function trainingImageIndices(
  inst: CocoInstances,
  options: TargetOptions & { includeEmpty?: boolean } = {},
): { indices: Int32Array; counts: TargetCounts } {
  const kept: number[] = [];
  const counts: TargetCounts = {
    images: inst.numImages,
    imagesWithBoxes: 0,
    boxes: 0,
    crowdRegions: 0,
    droppedTiny: 0,
  };
  for (let i = 0; i < inst.numImages; i++) {
    const t = trainingTargets(inst, i, options);
    counts.boxes += t.labels.length;
    counts.crowdRegions += t.ignoreRegions.length / 4;
    counts.droppedTiny += t.droppedTiny;
    if (t.labels.length > 0) counts.imagesWithBoxes++;
    if (t.labels.length > 0 || options.includeEmpty) kept.push(i);
  }
  return { indices: Int32Array.from(kept), counts };
}
