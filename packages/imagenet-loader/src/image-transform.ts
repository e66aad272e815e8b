import sharp, { type FailOnOptions, type KernelEnum, type Sharp } from 'sharp';
import { centerCropBox, resizeShorterSide } from './center-crop.js';
import type { CropBox } from './crop-box.js';
import { type ImageSize, readImageSize } from './image-header.js';
import { IMAGENET_MEAN, IMAGENET_STD, normalizeInto } from './normalize.js';
import type { Rng } from './prng.js';
import { randomResizedCropBox } from './random-resized-crop.js';

/** Sizes and parameters of the ImageNet training and evaluation transforms. */
export interface ImageTransformOptions {
  /** Output side (RandomResizedCrop size / CenterCrop size). Default 224. */
  cropSize?: number;
  /** Evaluation: the shorter side is resized to this before the center crop. Default 256. */
  resizeSize?: number;
  /** RandomResizedCrop area fraction range. Default [0.08, 1]. */
  scale?: readonly [number, number];
  /** RandomResizedCrop aspect ratio range. Default [3/4, 4/3]. */
  ratio?: readonly [number, number];
  /** Probability of a horizontal flip in training. Default 0.5. */
  flipProbability?: number;
  /** Per-channel mean on the 0-1 scale. Default ImageNet's. */
  mean?: readonly number[];
  /** Per-channel std on the 0-1 scale. Default ImageNet's. */
  std?: readonly number[];
  /** libvips resampling kernel; 'linear' is bilinear with antialiasing on reduction. Default 'linear'. */
  kernel?: keyof KernelEnum;
  /** Let libjpeg shrink by 2/4/8 while decoding when the resize allows it (evaluation only). Default true. */
  fastShrinkOnLoad?: boolean;
  /** sharp's failOn level; 'warning' rejects truncated JPEGs as PIL does. Default 'warning'. */
  failOn?: FailOnOptions;
  /** Give up on one image after this many seconds (0 = never). Default 60. */
  timeoutSeconds?: number;
}

/** ImageTransformOptions with every default filled in. */
export type ResolvedTransformOptions = Required<ImageTransformOptions>;

/** Fills in the defaults of ImageTransformOptions and checks them. */
export function resolveTransformOptions(options: ImageTransformOptions = {}): ResolvedTransformOptions {
  const resolved: ResolvedTransformOptions = {
    cropSize: options.cropSize ?? 224,
    resizeSize: options.resizeSize ?? 256,
    scale: options.scale ?? [0.08, 1],
    ratio: options.ratio ?? [3 / 4, 4 / 3],
    flipProbability: options.flipProbability ?? 0.5,
    mean: options.mean ?? IMAGENET_MEAN,
    std: options.std ?? IMAGENET_STD,
    kernel: options.kernel ?? 'linear',
    fastShrinkOnLoad: options.fastShrinkOnLoad ?? true,
    failOn: options.failOn ?? 'warning',
    timeoutSeconds: options.timeoutSeconds ?? 60,
  };
  if (!Number.isInteger(resolved.cropSize) || resolved.cropSize <= 0) {
    throw new Error(`cropSize must be a positive integer, got ${resolved.cropSize}`);
  }
  if (!Number.isInteger(resolved.resizeSize) || resolved.resizeSize < resolved.cropSize) {
    throw new Error(`resizeSize must be an integer >= cropSize, got ${resolved.resizeSize}`);
  }
  if (resolved.mean.length !== 3 || resolved.std.length !== 3) {
    throw new Error('mean and std must have 3 entries (RGB)');
  }
  return resolved;
}

/** What a transform did to one image, for tests and debugging. */
export interface TransformRecord {
  /** Size of the decoded source image. */
  sourceWidth: number;
  sourceHeight: number;
  /** Training: crop box in source pixels. Evaluation: center-crop box in the resized image. */
  box: CropBox;
  /** Whether the output was mirrored. */
  flipped: boolean;
}

function pipelineFor(input: string | Buffer, opts: ResolvedTransformOptions): Sharp {
  const image = sharp(input, { failOn: opts.failOn, sequentialRead: true });
  return opts.timeoutSeconds > 0 ? image.timeout({ seconds: opts.timeoutSeconds }) : image;
}

async function toRgbRaw(image: Sharp, size: number, source: string | Buffer): Promise<Buffer> {
  // toColourspace('srgb') turns grayscale and CMYK into RGB; removeAlpha drops PNG transparency.
  const { data, info } = await image
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    const name = typeof source === 'string' ? source : 'buffer';
    throw new Error(
      `${name}: decoded to ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x3`,
    );
  }
  return data;
}

async function sourceSize(input: string | Buffer, opts: ResolvedTransformOptions): Promise<ImageSize> {
  // Parsing the header in JS saves sharp's metadata() call (~1 ms) for JPEG and PNG.
  const fromHeader = typeof input === 'string' ? undefined : readImageSize(input);
  if (fromHeader) return fromHeader;
  const meta = await pipelineFor(input, opts).metadata();
  if (!meta.width || !meta.height) throw new Error('image has no dimensions');
  return { width: meta.width, height: meta.height };
}

/**
 * Training transform: RandomResizedCrop + RandomHorizontalFlip + normalize, written as HWC float32 into out.
 * Draws the crop box and then the flip from rng, in torchvision's order.
 */
export async function trainTransform(
  input: string | Buffer,
  rng: Rng,
  out: Float32Array,
  offset: number,
  options: ImageTransformOptions | ResolvedTransformOptions = {},
): Promise<TransformRecord> {
  const opts = resolveTransformOptions(options);
  const size = opts.cropSize;
  const src = await sourceSize(input, opts);
  const box = randomResizedCropBox(src.width, src.height, rng, { scale: opts.scale, ratio: opts.ratio });
  const flipped = rng.next() < opts.flipProbability;
  const image = pipelineFor(input, opts)
    .extract(box)
    .resize(size, size, { fit: 'fill', kernel: opts.kernel });
  const data = await toRgbRaw(image, size, input);
  // Mirroring during normalization is exact and free, unlike a libvips flop before or after resampling.
  normalizeInto(data, size, size, 3, 3, opts.mean, opts.std, flipped, out, offset);
  return { sourceWidth: src.width, sourceHeight: src.height, box, flipped };
}

/** Evaluation transform: Resize(shorter side) + CenterCrop + normalize, written as HWC float32 into out. */
export async function evalTransform(
  input: string | Buffer,
  out: Float32Array,
  offset: number,
  options: ImageTransformOptions | ResolvedTransformOptions = {},
): Promise<TransformRecord> {
  const opts = resolveTransformOptions(options);
  const size = opts.cropSize;
  const src = await sourceSize(input, opts);
  const resized = resizeShorterSide(src.width, src.height, opts.resizeSize);
  const box = centerCropBox(resized.width, resized.height, size);
  const image = pipelineFor(input, opts)
    .resize(resized.width, resized.height, {
      fit: 'fill',
      kernel: opts.kernel,
      fastShrinkOnLoad: opts.fastShrinkOnLoad,
    })
    .extract(box);
  const data = await toRgbRaw(image, size, input);
  normalizeInto(data, size, size, 3, 3, opts.mean, opts.std, false, out, offset);
  return { sourceWidth: src.width, sourceHeight: src.height, box, flipped: false };
}
