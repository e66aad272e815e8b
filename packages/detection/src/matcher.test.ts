import { describe, expect, it } from 'vitest';
import { AnchorGenerator, anchorSizes } from './anchor-generator';
import { BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, Matcher } from './matcher';
import { loadDetectionPartsVectors, referenceAnchors } from './testing/reference';

const ref = loadDetectionPartsVectors();

describe('Matcher(0.5, 0.4, allowLowQualityMatches)', () => {
  const matcher = new Matcher();
  for (const c of ref.matcher) {
    it(`equals torchvision exactly: ${c.name}`, () => {
      const matches = matcher.match(Float32Array.from(c.boxes), referenceAnchors(c.anchors));
      expect(Array.from(matches)).toEqual(c.matches);
    });
  }

  it("equals torchvision exactly on the loss reference's images", () => {
    const anchors = referenceAnchors(ref.losses.anchors);
    ref.losses.targets.forEach((t, i) => {
      expect(Array.from(matcher.match(Float32Array.from(t.boxes), anchors))).toEqual(ref.losses.matches[i]);
    });
  });

  it('marks anchors between the thresholds ignored and below them background', () => {
    // one box; anchors with IoU 1, 0.45, 0.3 and 0 with it, and none of them ties for the best but the first
    const box = [0, 0, 10, 10];
    const anchors = [0, 0, 10, 10, 0, 0, 10, 4.5, 0, 0, 10, 3, 20, 20, 30, 30];
    expect(Array.from(matcher.match(box, anchors))).toEqual([0, BETWEEN_THRESHOLDS, BELOW_LOW_THRESHOLD, -1]);
    expect(Array.from(new Matcher(0.5, 0.4, false).match([0, 0, 10, 3], anchors))).toEqual([-1, 0, 0, -1]);
  });

  it('refuses a low threshold above the high one', () => {
    expect(() => new Matcher(0.4, 0.5)).toThrow(/exceeds high threshold/);
  });

  it('matches ~150k anchors (800x1088) to 50 boxes fast', () => {
    const generator = new AnchorGenerator(anchorSizes([32, 64, 128, 256, 512]));
    const anchors = generator.anchors(
      [800, 1088],
      [
        [100, 136],
        [50, 68],
        [25, 34],
        [13, 17],
        [7, 9],
      ],
    );
    const boxes = new Float32Array(50 * 4);
    for (let i = 0; i < 50; i++) {
      const x = (i * 97) % 900;
      const y = (i * 53) % 700;
      boxes.set([x, y, x + 10 + ((i * 31) % 180), y + 8 + ((i * 17) % 90)], i * 4);
    }
    const start = performance.now();
    const matches = matcher.match(boxes, anchors);
    const ms = performance.now() - start;
    expect(matches.length).toBe(anchors.length / 4);
    expect(new Set(Array.from(matches).filter((m) => m >= 0)).size).toBe(50); // every box gets an anchor
    expect(ms).toBeLessThan(2000); // about 0.1 s on one core of a 2-core CI machine
  });
});
