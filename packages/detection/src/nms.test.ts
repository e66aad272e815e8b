import { describe, expect, it } from 'vitest';
import { batchedNms } from './nms';
import { loadDetectionPartsVectors } from './testing/reference';

const ref = loadDetectionPartsVectors().batchedNms;

describe('batchedNms', () => {
  for (const c of ref) {
    it(`equals torchvision's batched_nms: ${c.name} (${c.scores.length} boxes, IoU > ${c.iouThreshold})`, () => {
      const keep = batchedNms(
        Float32Array.from(c.boxes),
        Float32Array.from(c.scores),
        c.labels,
        c.iouThreshold,
      );
      expect(Array.from(keep)).toEqual(c.keep);
    });
  }

  it('keeps the earlier of equal-score boxes and never suppresses across labels', () => {
    const boxes = [0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10, 1, 0, 11, 10];
    expect(Array.from(batchedNms(boxes, [0.5, 0.5, 0.5, 0.1], [0, 0, 1, 0], 0.5))).toEqual([0, 2]);
    expect(Array.from(batchedNms(boxes, [0.5, 0.5, 0.5, 0.9], [0, 0, 1, 0], 0.5))).toEqual([3, 2]);
    // IoU exactly 0.5 is not above the threshold: both stay
    expect(Array.from(batchedNms([0, 0, 10, 10, 0, 0, 10, 5], [0.9, 0.8], [0, 0], 0.5))).toEqual([0, 1]);
    expect(Array.from(batchedNms([], [], [], 0.5))).toEqual([]);
    expect(() => batchedNms([0, 0, 1], [1], [0], 0.5)).toThrow(/boxes/);
  });
});
