/** torchvision's RetinaNet scales per level: `x`, `x * 2^(1/3)` and `x * 2^(2/3)`, truncated to integers. */
export function anchorSizes(base: readonly number[]): number[][] {
  return base.map((x) => [x, Math.trunc(x * 2 ** (1 / 3)), Math.trunc(x * 2 ** (2 / 3))]);
}

/** Python's round(): halves go to the even neighbour (torch.round does the same). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const frac = x - floor;
  if (frac !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Zero-centred anchors of one level, [ratios x scales, 4], computed as torchvision does: in float32 (it builds
 * them from float32 tensors), then rounded.
 */
function cellAnchors(scales: readonly number[], aspectRatios: readonly number[]): Float32Array {
  const out = new Float32Array(aspectRatios.length * scales.length * 4);
  let o = 0;
  for (const ratio of aspectRatios) {
    const h = Math.fround(Math.sqrt(Math.fround(ratio)));
    const w = Math.fround(1 / h);
    for (const scale of scales) {
      const halfW = Math.fround(w * Math.fround(scale)) / 2;
      const halfH = Math.fround(h * Math.fround(scale)) / 2;
      out[o++] = roundHalfEven(-halfW);
      out[o++] = roundHalfEven(-halfH);
      out[o++] = roundHalfEven(halfW);
      out[o++] = roundHalfEven(halfH);
    }
  }
  return out;
}

/**
 * torchvision's AnchorGenerator: per level, every aspect ratio (height / width) times every size, placed at
 * (col * stride, row * stride) with stride = image size // feature size per axis; locations row-major, the
 * anchors of a location inner, levels concatenated. Boxes are x1 y1 x2 y2 in the padded input's pixels.
 */
export class AnchorGenerator {
  /** Anchors per feature-map location, the same on every level (the heads share their convs). */
  readonly anchorsPerLocation: number;
  /** Zero-centred anchors per level, [anchorsPerLocation, 4] each. */
  readonly cellAnchors: readonly Float32Array[];

  constructor(
    readonly sizes: number[][],
    readonly aspectRatios: number[] = [0.5, 1, 2],
  ) {
    if (sizes.length === 0 || sizes.some((s) => s.length !== sizes[0].length || s.length === 0)) {
      throw new Error(
        `AnchorGenerator: every level needs the same, non-zero number of sizes, got ${JSON.stringify(sizes)}`,
      );
    }
    if (
      sizes.flat().some((s) => !(s > 0)) ||
      aspectRatios.length === 0 ||
      aspectRatios.some((r) => !(r > 0))
    ) {
      throw new Error(
        `AnchorGenerator: sizes and aspect ratios must be positive, got ${JSON.stringify(sizes)}, ${JSON.stringify(aspectRatios)}`,
      );
    }
    this.anchorsPerLocation = sizes[0].length * aspectRatios.length;
    this.cellAnchors = sizes.map((s) => cellAnchors(s, aspectRatios));
  }

  /** Anchors per level for these feature sizes (feature locations times anchors per location). */
  anchorsPerLevel(featureSizes: readonly [number, number][]): number[] {
    return featureSizes.map(([h, w]) => h * w * this.anchorsPerLocation);
  }

  /** All anchors of a padded input of `imageSize` [h, w] with these feature sizes: [A, 4], levels concatenated. */
  anchors(imageSize: readonly [number, number], featureSizes: readonly [number, number][]): Float32Array {
    if (featureSizes.length !== this.sizes.length) {
      throw new Error(
        `AnchorGenerator: ${featureSizes.length} feature maps for ${this.sizes.length} levels of sizes`,
      );
    }
    const [imageH, imageW] = imageSize;
    for (const [h, w] of featureSizes) {
      if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1 || h > imageH || w > imageW) {
        throw new Error(
          `AnchorGenerator: feature size [${h}, ${w}] does not fit image [${imageH}, ${imageW}]`,
        );
      }
    }
    const perLevel = this.anchorsPerLevel(featureSizes);
    const out = new Float32Array(perLevel.reduce((a, b) => a + b, 0) * 4);
    let o = 0;
    featureSizes.forEach(([h, w], level) => {
      const strideY = Math.floor(imageH / h);
      const strideX = Math.floor(imageW / w);
      const cell = this.cellAnchors[level];
      for (let row = 0; row < h; row++) {
        const y = row * strideY;
        for (let col = 0; col < w; col++) {
          const x = col * strideX;
          for (let c = 0; c < cell.length; c += 4) {
            out[o++] = x + cell[c];
            out[o++] = y + cell[c + 1];
            out[o++] = x + cell[c + 2];
            out[o++] = y + cell[c + 3];
          }
        }
      }
    });
    return out;
  }
}
