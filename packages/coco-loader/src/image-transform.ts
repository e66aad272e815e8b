import sharp from 'sharp';

/** ImageNet channel means and standard deviations (RGB, on 0-1 pixel values). */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** How images are decoded, sized and normalized for detection. */
export interface ResizeOptions {
  /** Target length of the shorter side (default 800). */
  shortSide?: number;
  /** Upper bound of the longer side (default 1333). */
  maxSize?: number;
  /**
   * Channels of the decoded image (default 3): 3 for RGB; 1 for grayscale as PIL's `convert('L')` makes it
   * (RGB to luma in PIL's fixed point, a grayscale file's own values), for a detector with one input channel.
   */
  channels?: 1 | 3;
  /** Mean per channel on 0-1 pixel values, one value per channel (default IMAGENET_MEAN; required with 1 channel). */
  mean?: readonly number[];
  /** Standard deviation per channel on 0-1 pixel values, one value per channel (default IMAGENET_STD; required with 1 channel). */
  std?: readonly number[];
}

/** One decoded, resized, normalized image, with what is needed to map boxes both ways. */
export interface TransformedImage {
  /** Normalized pixels, [height, width, channels] row-major (RGB, or one gray channel). */
  pixels: Float32Array;
  /** 3 (RGB) or 1 (gray). */
  channels: 1 | 3;
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
 * The channel count and per-channel normalization `(v / 255 - mean) / std` as one multiply-add, checked:
 * mean and std need one value per channel.
 */
export function normalization(options: ResizeOptions): {
  channels: 1 | 3;
  mul: Float64Array;
  add: Float64Array;
} {
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new RangeError(`channels must be 1 or 3, got ${channels}`);
  const mean = options.mean ?? IMAGENET_MEAN;
  const std = options.std ?? IMAGENET_STD;
  for (const [name, values, given] of [
    ['mean', mean, options.mean],
    ['std', std, options.std],
  ] as const) {
    if (values.length !== channels) {
      throw new RangeError(
        given === undefined
          ? `${name} must be given with channels ${channels}: the default (ImageNet's) has 3 values, one per RGB channel`
          : `${name} must have one value per channel: got ${values.length} value(s) for channels ${channels}`,
      );
    }
    for (let c = 0; c < channels; c++) {
      const x = values[c];
      if (!Number.isFinite(x) || (name === 'std' && x === 0)) {
        throw new RangeError(
          `${name}[${c}] must be a finite number${name === 'std' ? ' other than 0' : ''}, got ${x}`,
        );
      }
    }
  }
  const mul = new Float64Array(channels);
  const add = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    mul[c] = 1 / (255 * std[c]);
    add[c] = -mean[c] / std[c];
  }
  return { channels, mul, add };
}

/**
 * Decodes an image file with sharp (any format it reads; EXIF orientation is not applied, as COCO's sizes
 * and boxes refer to the stored pixels), resizes it, optionally mirrors it left-right, and normalizes it.
 * With 3 channels (the default) grayscale becomes RGB and alpha is dropped; with 1 channel the image
 * becomes gray as PIL's `Image.open(path).convert('L')` makes it (see loadGrayImage).
 */
export async function loadDetectionImage(
  path: string,
  flip: boolean,
  options: ResizeOptions = {},
): Promise<TransformedImage> {
  const { channels, mul, add } = normalization(options);
  if (channels === 1) return loadGrayImage(path, flip, options, mul[0], add[0]);
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
  for (let p = 0; p < pixels.length; p += 3) {
    pixels[p] = data[p] * mul[0] + add[0];
    pixels[p + 1] = data[p + 1] * mul[1] + add[1];
    pixels[p + 2] = data[p + 2] * mul[2] + add[2];
  }
  return {
    pixels,
    channels: 3,
    width,
    height,
    originalWidth: meta.width,
    originalHeight: meta.height,
    scale,
    flipped: flip,
  };
}

/** PIL's RGB to L (Convert.c, `L24`): ITU-R 601-2 luma in 16-bit fixed point, rounded. */
export function pilLuma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/**
 * One channel as PIL's `convert('L')`: the stored 8-bit values, with no ICC transform (PIL applies none),
 * alpha dropped, a grayscale image as it is, RGB (and palette, as its colours) to PIL's fixed-point luma;
 * then resized (bilinear, as the RGB path) unless the size is unchanged, mirrored, normalized.
 */
async function loadGrayImage(
  path: string,
  flip: boolean,
  options: ResizeOptions,
  mul: number,
  add: number,
): Promise<TransformedImage> {
  const img = sharp(path, { failOn: 'error', ignoreIcc: true });
  const meta = await img.metadata();
  const ow = meta.width;
  const oh = meta.height;
  if (!ow || !oh) throw new Error(`${path}: cannot read the image size`);
  const gray = meta.space === 'b-w';
  if (meta.depth !== 'uchar' || !(gray || meta.space === 'srgb')) {
    // PIL's convert('L') clips 16-bit grayscale at 255 and converts CMYK its own way: no faithful match here
    throw new Error(
      `${path}: cannot make one channel of a ${meta.space} image with ${meta.depth} samples as PIL's convert('L') does (8-bit grayscale, RGB or palette images only)`,
    );
  }
  const decoded = await img
    .removeAlpha()
    .toColourspace(gray ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const inChannels = gray ? 1 : 3;
  if (decoded.info.channels !== inChannels || decoded.info.width !== ow || decoded.info.height !== oh) {
    throw new Error(
      `${path}: decoded to ${decoded.info.width}x${decoded.info.height}x${decoded.info.channels}, expected ${ow}x${oh}x${inChannels}`,
    );
  }
  let plane: Uint8Array = decoded.data;
  if (!gray) {
    const rgb = decoded.data;
    plane = new Uint8Array(ow * oh);
    for (let p = 0, q = 0; p < plane.length; p++, q += 3) plane[p] = pilLuma(rgb[q], rgb[q + 1], rgb[q + 2]);
  }
  const { scale, width, height } = resizeScale(ow, oh, options.shortSide, options.maxSize);
  if (width !== ow || height !== oh) {
    const resized = await sharp(plane, { raw: { width: ow, height: oh, channels: 1 } })
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (resized.info.channels !== 1 || resized.info.width !== width || resized.info.height !== height) {
      throw new Error(
        `${path}: resized to ${resized.info.width}x${resized.info.height}x${resized.info.channels}, expected ${width}x${height}x1`,
      );
    }
    plane = resized.data;
  }
  const pixels = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) pixels[row + x] = plane[row + (flip ? width - 1 - x : x)] * mul + add;
  }
  return {
    pixels,
    channels: 1,
    width,
    height,
    originalWidth: ow,
    originalHeight: oh,
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
