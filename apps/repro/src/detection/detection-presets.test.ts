import { describe, expect, it } from 'vitest';
import { DETECTION_PRESETS } from './detection-presets';
import { detectionConfig, detectionSchedule } from './train-detection';

describe('detection presets', () => {
  it('mosaic-retinanet is the run of reference/pytorch/retinanet_mosaic.py', () => {
    for (const rule of ['bp', 'ss', 'fa']) {
      expect(DETECTION_PRESETS[`mosaic-retinanet-${rule}`].config).toMatchObject({
        rule,
        depth: 18,
        width: 16,
        inputChannels: 1,
        fpnChannels: 64,
        classes: 10,
        anchorBase: 16,
        extraLevels: 'p5',
        shortSide: 128,
        maxSize: 128,
        mean: [0.286],
        std: [0.353],
        flipProbability: 0.5,
        batchSize: 16,
        lr: 0.01,
        momentum: 0.9,
        weightDecay: 1e-4,
        epochs: 10,
        milestones: [7, 9],
        warmupIterations: 100,
        scoreThresh: 0.05,
        nmsThresh: 0.5,
        detectionsPerImage: 100,
      });
    }
    // lr * (1/3 + 2/3 * it / 100) for it < 100, then x0.1 from epoch 7 (0-based) and again from 9.
    const s = detectionSchedule(DETECTION_PRESETS['mosaic-retinanet-ss'].config);
    expect(s.factor(0, 0)).toBeCloseTo(1 / 3, 12);
    expect(s.factor(0, 50)).toBeCloseTo(1 / 3 + (2 / 3) * 0.5, 12);
    expect(s.factor(1, 100)).toBe(1);
    expect(s.factor(7, 2000)).toBeCloseTo(0.1, 12);
    expect(s.factor(9, 2500)).toBeCloseTo(0.01, 12);
  });

  it("coco-retinanet has torchvision's recipe, its rate scaled linearly with the batch", () => {
    const c = DETECTION_PRESETS['coco-retinanet-bp'].config;
    expect(c).toMatchObject({
      depth: 50,
      width: 64,
      fpnChannels: 256,
      classes: 80,
      shortSide: 800,
      maxSize: 1333,
    });
    expect(c).toMatchObject({
      batchSize: 16,
      lr: 0.01,
      warmupIterations: 500,
      milestoneIterations: [60000, 80000],
    });
    const s = detectionSchedule(c);
    expect(s.factor(0, 0)).toBeCloseTo(1 / 3, 12);
    expect(s.factor(5, 59_999)).toBe(1);
    expect(s.factor(8, 60_000)).toBeCloseTo(0.1, 12);
    expect(s.factor(11, 80_000)).toBeCloseTo(0.01, 12);
    expect(detectionConfig({ preset: 'coco-retinanet-bp', batchSize: 2 })).toMatchObject({
      batchSize: 2,
      lr: 0.00125,
    });
  });
});
