import { describe, expect, it } from 'vitest';
import { AnchorGenerator, anchorSizes } from './anchor-generator';
import { loadDetectionPartsVectors, maxAbsError } from './testing/reference';
import { loadRetinaTinyVectors } from './testing/retina-vectors';

const ref = loadDetectionPartsVectors();

describe('anchorSizes', () => {
  it('equals torchvision for every base size 1..1024', () => {
    expect(anchorSizes(ref.anchorSizes.base).flat()).toEqual(ref.anchorSizes.sizes);
  });

  it("gives torchvision's default RetinaNet sizes", () => {
    expect(anchorSizes([32, 64, 128, 256, 512])).toEqual([
      [32, 40, 50],
      [64, 80, 101],
      [128, 161, 203],
      [256, 322, 406],
      [512, 645, 812],
    ]);
  });
});

describe('AnchorGenerator', () => {
  for (const c of ref.anchors) {
    it(`equals torchvision: ${c.name} (${c.imageSize.join('x')}, ${c.count} anchors)`, () => {
      const generator = new AnchorGenerator(c.sizes, c.aspectRatios);
      const anchors = generator.anchors(c.imageSize, c.featureSizes);
      expect(anchors.length).toBe(c.count * 4);
      expect(generator.anchorsPerLevel(c.featureSizes)).toEqual(c.anchorsPerLevel);
      if (c.data) {
        expect(maxAbsError(anchors, c.data)).toBeLessThanOrEqual(1e-6);
      } else {
        const rows = c.rows!.flatMap((r) => Array.from(anchors.subarray(r * 4, r * 4 + 4)));
        expect(maxAbsError(rows, c.rowData!)).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it("equals the whole-model reference's anchors (64x64, sizes 8..128)", () => {
    const { anchors: tiny, anchorsPerLevel } = loadRetinaTinyVectors();
    const generator = new AnchorGenerator(anchorSizes([8, 16, 32, 64, 128]));
    const featureSizes: [number, number][] = [
      [8, 8],
      [4, 4],
      [2, 2],
      [1, 1],
      [1, 1],
    ];
    expect(generator.anchorsPerLocation).toBe(9);
    expect(generator.anchorsPerLevel(featureSizes)).toEqual(anchorsPerLevel);
    expect(maxAbsError(generator.anchors([64, 64], featureSizes), tiny.data)).toBeLessThanOrEqual(1e-6);
  });

  it('rounds halves to even, as torch.round does (size 25 -> +-12, 101 -> +-50, 203 -> +-102)', () => {
    const generator = new AnchorGenerator([[25, 101, 203]], [1]);
    expect(Array.from(generator.cellAnchors[0])).toEqual([
      -12, -12, 12, 12, -50, -50, 50, 50, -102, -102, 102, 102,
    ]);
  });

  it('places ratio-major, scale-minor anchors at each location, locations row-major', () => {
    const generator = new AnchorGenerator([[4, 8]], [0.5, 2]);
    const a = generator.anchors([8, 12], [[2, 3]]);
    // stride 4 both ways; location (row 1, col 2) is the 6th, centre (8, 4)
    const loc = 5 * 4 * 4;
    const cell = generator.cellAnchors[0];
    for (let k = 0; k < 16; k++) expect(a[loc + k]).toBe(cell[k] + (k % 2 === 0 ? 8 : 4));
    // ratio 0.5 (wide) first: width > height
    expect(cell[2] - cell[0]).toBeGreaterThan(cell[3] - cell[1]);
  });

  it('refuses mismatched levels and bad sizes', () => {
    expect(() => new AnchorGenerator([[8, 10], [16]])).toThrow(/same, non-zero number of sizes/);
    expect(() => new AnchorGenerator([[0]])).toThrow(/positive/);
    expect(() => new AnchorGenerator([[8]], [-1])).toThrow(/positive/);
    const generator = new AnchorGenerator([[8], [16]]);
    expect(() => generator.anchors([64, 64], [[8, 8]])).toThrow(/1 feature maps for 2 levels/);
    expect(() =>
      generator.anchors(
        [64, 64],
        [
          [8, 8],
          [0, 4],
        ],
      ),
    ).toThrow(/does not fit/);
  });
});
