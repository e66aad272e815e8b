import type { CropBox } from './crop-box.js';
import type { Rng } from './prng.js';
import { roundHalfEven } from './python-round.js';

/** Parameters of torchvision's RandomResizedCrop box sampling. */
export interface RandomResizedCropParams {
  /** Range of the crop's area as a fraction of the image area. Default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio (width / height), sampled log-uniformly. Default [3/4, 4/3]. */
  ratio?: readonly [number, number];
  /** Sampling attempts before the center-crop fallback. Default 10. */
  attempts?: number;
}

/** Samples a RandomResizedCrop box exactly as torchvision's RandomResizedCrop.get_params does. */
export function randomResizedCropBox(
  width: number,
  height: number,
  rng: Rng,
  params: RandomResizedCropParams = {},
): CropBox {
  const [scaleLo, scaleHi] = params.scale ?? [0.08, 1];
  const [ratioLo, ratioHi] = params.ratio ?? [3 / 4, 4 / 3];
  const attempts = params.attempts ?? 10;
  if (!(width > 0 && height > 0)) throw new Error(`randomResizedCropBox: bad image size ${width}x${height}`);
  const area = width * height;
  const logLo = Math.log(ratioLo);
  const logHi = Math.log(ratioHi);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const targetArea = area * rng.uniform(scaleLo, scaleHi);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      // torchvision draws the row (i) before the column (j).
      const top = rng.int(0, height - h + 1);
      const left = rng.int(0, width - w + 1);
      return { left, top, width: w, height: h };
    }
  }
  // Fallback: the largest central crop whose aspect ratio is clamped into the ratio range.
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < Math.min(ratioLo, ratioHi)) {
    w = width;
    h = roundHalfEven(w / Math.min(ratioLo, ratioHi));
  } else if (inRatio > Math.max(ratioLo, ratioHi)) {
    h = height;
    w = roundHalfEven(h * Math.max(ratioLo, ratioHi));
  } else {
    w = width;
    h = height;
  }
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h };
}
