import { describe, expect, it } from 'vitest';
import { fixedTargets } from './detection-targets';

describe('fixedTargets', () => {
  it('gives 1-3 boxes per image inside the image, with positive sides and valid labels', () => {
    const targets = fixedTargets(16, 128, 10);
    expect(targets.map((t) => t.labels.length)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1]);
    for (const { boxes, labels } of targets) {
      for (let j = 0; j < labels.length; j++) {
        const [x1, y1, x2, y2] = boxes.subarray(j * 4, j * 4 + 4);
        expect(x2 - x1).toBeGreaterThan(0);
        expect(y2 - y1).toBeGreaterThan(0);
        expect(Math.min(x1, y1)).toBeGreaterThanOrEqual(0);
        expect(Math.max(x2, y2)).toBeLessThanOrEqual(128 + 1e-4);
        expect(labels[j]).toBeLessThan(10);
      }
    }
  });

  it('matches fixed_targets of pytorch_throughput.py (values printed by that script)', () => {
    const [, second] = fixedTargets(2, 128, 10);
    expect(Array.from(second.boxes, (x) => Math.round(x * 1e4) / 1e4)).toEqual([
      7.1111, 24.8889, 71.1111, 120.8889, 0, 9.1429, 43.4286, 96,
    ]);
    expect(Array.from(second.labels)).toEqual([3, 4]);
  });
});
