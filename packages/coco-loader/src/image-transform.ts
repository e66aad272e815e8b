import sharp from 'sharp';

/** ImageNet channel means and standard deviations (RGB, on 0-1 pixel values). */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** How images are sized and normalized for detection. */
export interface ResizeOptions {
  /** Target length of the shorter side (default 800). */
  shortSide?: number;
  /** Upper bound of the longer side (default 1333). */
  maxSize?: number;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
}

/** One decoded, resized, normalized image, with what is needed to map boxes both ways. */
export interface TransformedImage {
  /** Normalized RGB, [height, width, 3] row-major. */
  pixels: Float32Array;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  /** Resized / original: one factor for both axes, as Detectron (sides are rounded after). */
  scale: number;
  flipped: boolean;
}

/** The scale and resized size for an image: shorter side to shortSide unless the longer side would exceed maxSize. */
export function resizeScale(
  width: number,
  height: number,
  shortSide = 800,
  maxSize = 1333,
): { scale: number; width: number; height: number } {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  let scale = shortSide / short;
  if (long * scale > maxSize) scale = maxSize / long;
  return {
    scale,
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Decodes an image file with sharp (any format it reads; grayscale and alpha become RGB; EXIF
 * orientation is not applied, as COCO's sizes and boxes refer to the stored pixels), resizes it,
 * optionally mirrors it left-right, and normalizes it.
 */
export async function loadDetectionImage(
  path: string,
  flip: boolean,
  options: ResizeOptions = {},
): Promise<TransformedImage> {
  const mean = options.mean ?? IMAGENET_MEAN;
  const std = options.std ?? IMAGENET_STD;
  const img = sharp(path, { failOn: 'error' });
  const meta = await img.metadata();
  if (!meta.width || !meta.height) throw new Error(`${path}: cannot read the image size`);
  const { scale, width, height } = resizeScale(meta.width, meta.height, options.shortSide, options.maxSize);
  let pipeline = img
    .removeAlpha()
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill', kernel: 'linear' });
  if (flip) pipeline = pipeline.flop();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new Error(
      `${path}: decoded to ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`,
    );
  }
  const pixels = new Float32Array(width * height * 3);
  // per channel: (v / 255 - mean) / std as one multiply-add
  const mul = [0, 1, 2].map((c) => 1 / (255 * std[c]));
  const add = [0, 1, 2].map((c) => -mean[c] / std[c]);
  for (let p = 0; p < pixels.length; p += 3) {
    pixels[p] = data[p] * mul[0] + add[0];
    pixels[p + 1] = data[p + 1] * mul[1] + add[1];
    pixels[p + 2] = data[p + 2] * mul[2] + add[2];
  }
  return {
    pixels,
    width,
    height,
    originalWidth: meta.width,
    originalHeight: meta.height,
    scale,
    flipped: flip,
  };
}

/** Maps [x1, y1, x2, y2] boxes from original pixels to a transformed image (scale, then mirror). */
export function transformBoxes(
  boxes: Float32Array,
  scale: number,
  flipped: boolean,
  width: number,
): Float32Array {
  const out = new Float32Array(boxes.length);
  for (let b = 0; b < boxes.length; b += 4) {
    const x1 = boxes[b] * scale;
    const x2 = boxes[b + 2] * scale;
    out[b] = flipped ? width - x2 : x1;
    out[b + 1] = boxes[b + 1] * scale;
    out[b + 2] = flipped ? width - x1 : x2;
    out[b + 3] = boxes[b + 3] * scale;
  }
  return out;
}
