import { describe, expect, it } from 'vitest';
import { instancesFromJson } from './instances-reader.js';
import { trainingImageIndices, trainingTargets } from './training-targets.js';

const inst = instancesFromJson({
  images: [
    { id: 1, width: 100, height: 80 },
    { id: 2, width: 100, height: 80 },
    { id: 3, width: 100, height: 80 },
    { id: 4, width: 100, height: 80 },
  ],
  categories: [
    { id: 5, name: 'a' },
    { id: 2, name: 'b' },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 5, bbox: [10, 10, 20, 30], area: 600, iscrowd: 0 },
    { id: 2, image_id: 1, category_id: 2, bbox: [90, 70, 30, 30], area: 900, iscrowd: 0 },
    { id: 3, image_id: 1, category_id: 5, bbox: [0, 0, 50, 50], area: 2500, iscrowd: 1 },
    { id: 4, image_id: 1, category_id: 5, bbox: [40, 40, 0.9, 10], area: 9, iscrowd: 0 },
    { id: 5, image_id: 2, category_id: 2, bbox: [5, 5, 0.5, 0.5], area: 0.25, iscrowd: 0 },
    { id: 6, image_id: 3, category_id: 2, bbox: [5, 5, 20, 20], area: 400, iscrowd: 1 },
  ],
});

describe('trainingTargets', () => {
  it('gives x1y1x2y2 boxes clipped to the image, contiguous labels, crowds apart, tiny boxes dropped', () => {
    const t = trainingTargets(inst, 0);
    expect(Array.from(t.boxes)).toEqual([10, 10, 30, 40, 90, 70, 100, 80]);
    expect(Array.from(t.labels)).toEqual([1, 0]);
    expect(Array.from(t.ignoreRegions)).toEqual([0, 0, 50, 50]);
    expect(t.droppedTiny).toBe(1);
  });

  it('trains on images with a box by default and counts what was left out', () => {
    const { indices, counts } = trainingImageIndices(inst);
    expect(Array.from(indices)).toEqual([0]);
    expect(counts).toEqual({ images: 4, imagesWithBoxes: 1, boxes: 2, crowdRegions: 2, droppedTiny: 2 });
    expect(Array.from(trainingImageIndices(inst, { includeEmpty: true }).indices)).toEqual([0, 1, 2, 3]);
    // a larger minimum size drops more
    expect(trainingImageIndices(inst, { minSize: 15 }).counts.droppedTiny).toBe(3);
  });
});
