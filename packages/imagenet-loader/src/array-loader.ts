import type { Batch } from './batch.js';
import type { EpochStart } from './batch-loader.js';
import {
  batchCount,
  type ResolvedSampling,
  resolveSampling,
  type SamplingOptions,
  sampleSeed,
  shardOrder,
} from './epoch-sampler.js';
import type { ImageArrayDataset } from './idx-dataset.js';
import { createRng, deriveSeed, type Rng } from './prng.js';

/** Fashion-MNIST training-set mean of x/255. */
export const FASHION_MNIST_MEAN = 0.286;
/** Fashion-MNIST training-set standard deviation of x/255. */
export const FASHION_MNIST_STD = 0.353;

/** Random augmentation of in-memory images, as torchvision's RandomCrop(size, padding) + RandomHorizontalFlip(p). */
export interface ArrayAugmentation {
  /** Output side of the random crop taken from the zero-padded image; omit for no crop. */
  cropSize?: number;
  /** Zero padding added on every side before cropping. Default 0. */
  padding?: number;
  /** Probability of a horizontal flip. Default 0 (no flip). */
  flipProbability?: number;
  /**
   * Value of padded pixels after normalization. Default: that of a zero pixel, as torchvision's RandomCrop
   * before Normalize. Padding the normalized tensor with zeros, as the PyTorch reference scripts do, is `0`.
   */
  paddingFill?: number;
  /** Draw one crop offset per batch (as the PyTorch reference scripts do) instead of one per image. */
  cropPerBatch?: boolean;
}

/** The Fashion-MNIST preset: RandomCrop(28, padding=2) then RandomHorizontalFlip(0.5). */
export const FASHION_MNIST_AUGMENTATION: Readonly<ArrayAugmentation> = {
  cropSize: 28,
  padding: 2,
  flipProbability: 0.5,
};

/**
 * Fashion-MNIST augmentation exactly as `reference/pytorch/fashion_mini.py`, which the fashion presets'
 * PyTorch figures come from: per-image flips, then the normalized batch padded with zeros (the mean gray, not
 * the black background) and cropped at one offset for the whole batch.
 */
export const FASHION_MNIST_REFERENCE_AUGMENTATION: Readonly<ArrayAugmentation> = {
  ...FASHION_MNIST_AUGMENTATION,
  paddingFill: 0,
  cropPerBatch: true,
};

/** Seed stream of per-batch crop offsets; per-image draws hang off (seed, epoch, sample). */
const BATCH_CROP_STREAM = 0x6a09e667;

/** Options of ArrayLoader. */
export interface ArrayLoaderOptions extends SamplingOptions {
  /** Per-channel mean of x/255 (one value is used for every channel). Default Fashion-MNIST's. */
  mean?: readonly number[];
  /** Per-channel std of x/255. Default Fashion-MNIST's. */
  std?: readonly number[];
  /** Random augmentation; omit for none (evaluation). */
  augmentation?: ArrayAugmentation;
}

/**
 * Batches of an in-memory 8-bit dataset with the same shuffle/seed/shard/drop-last semantics as
 * ImageFolderLoader; plain typed-array loops, so it keeps up with a training loop.
 */
export class ArrayLoader {
  private readonly sampling: ResolvedSampling;
  private readonly luts: Float32Array[];
  private readonly outSize: [number, number];
  private readonly padding: number;
  private readonly flipProbability: number;
  private readonly crop: boolean;
  private readonly cropPerBatch: boolean;
  /** Per channel: the output value of a padded pixel. */
  private readonly padValues: Float32Array;

  constructor(
    private readonly dataset: ImageArrayDataset,
    options: ArrayLoaderOptions,
  ) {
    this.sampling = resolveSampling(options);
    const { height, width, channels, count } = dataset;
    if (dataset.images.length !== count * height * width * channels || dataset.labels.length !== count) {
      throw new Error(`dataset arrays do not match ${count}x${height}x${width}x${channels}`);
    }
    const aug = options.augmentation ?? {};
    this.crop = aug.cropSize !== undefined;
    this.padding = aug.padding ?? 0;
    this.flipProbability = aug.flipProbability ?? 0;
    this.cropPerBatch = aug.cropPerBatch ?? false;
    if (aug.paddingFill !== undefined && !Number.isFinite(aug.paddingFill)) {
      throw new Error(`paddingFill must be a finite number, got ${aug.paddingFill}`);
    }
    const cropSize = aug.cropSize ?? 0;
    if (this.crop && (cropSize > height + 2 * this.padding || cropSize > width + 2 * this.padding)) {
      throw new Error(`crop ${cropSize} is larger than the padded ${height}x${width} image`);
    }
    this.outSize = this.crop ? [cropSize, cropSize] : [height, width];
    const mean = options.mean ?? [FASHION_MNIST_MEAN];
    const std = options.std ?? [FASHION_MNIST_STD];
    // One 256-entry table per channel: x/255 normalization becomes a lookup.
    this.luts = Array.from({ length: channels }, (_, c) => {
      const m = mean[c] ?? mean[0];
      const s = std[c] ?? std[0];
      const lut = new Float32Array(256);
      for (let v = 0; v < 256; v++) lut[v] = (v / 255 - m) / s;
      return lut;
    });
    this.padValues = Float32Array.from(this.luts, (lut) => aug.paddingFill ?? lut[0]);
  }

  /** Samples this rank visits per epoch. */
  get shardSize(): number {
    const { rank, worldSize } = this.sampling;
    return Math.max(0, Math.ceil((this.dataset.count - rank) / worldSize));
  }

  /** Batches this rank gets per epoch. */
  get batchesPerEpoch(): number {
    return batchCount(this.shardSize, this.sampling.batchSize, this.sampling.dropLast);
  }

  /** Output shape of one image: [H, W, C]. */
  get imageShape(): [number, number, number] {
    return [this.outSize[0], this.outSize[1], this.dataset.channels];
  }

  /** Dataset indices of this rank's epoch, in visiting order. */
  epochOrder(epoch: number): Int32Array {
    return shardOrder(this.dataset.count, epoch, this.sampling);
  }

  /** Iterator over the batches of one epoch (usable with for-of and for-await), from an optional batch offset. */
  *epoch(epoch: number, start: EpochStart = {}): Generator<Batch> {
    const startBatch = start.startBatch ?? 0;
    const total = this.batchesPerEpoch;
    if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > total) {
      throw new Error(`startBatch must be in [0, ${total}], got ${startBatch}`);
    }
    const order = this.epochOrder(epoch);
    const { batchSize } = this.sampling;
    for (let b = startBatch; b < total; b++) {
      yield this.makeBatch(epoch, b, order.slice(b * batchSize, Math.min(order.length, (b + 1) * batchSize)));
    }
  }

  private makeBatch(epoch: number, batchIndex: number, indices: Int32Array): Batch {
    const [oh, ow, ch] = this.imageShape;
    const per = oh * ow * ch;
    const images = new Float32Array(indices.length * per);
    const labels = new Int32Array(indices.length);
    const augment = this.crop || this.flipProbability > 0;
    const { height, width } = this.dataset;
    const drawOffset = (rng: Rng) => [
      rng.int(0, height + 2 * this.padding - oh + 1),
      rng.int(0, width + 2 * this.padding - ow + 1),
    ];
    const { seed, rank } = this.sampling;
    const batchOffset =
      this.crop && this.cropPerBatch
        ? drawOffset(createRng(deriveSeed(seed, BATCH_CROP_STREAM, epoch, rank, batchIndex)))
        : undefined;
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k];
      labels[k] = this.dataset.labels[index];
      let [top, left] = batchOffset ?? [this.padding, this.padding];
      let flip = false;
      if (augment) {
        // Same draw order as torchvision: crop row, crop column, then the flip.
        const rng = createRng(sampleSeed(seed, epoch, index));
        if (this.crop && !batchOffset) [top, left] = drawOffset(rng);
        flip = rng.next() < this.flipProbability;
        // The reference scripts flip before cropping: the batch's window is taken from the mirrored image.
        if (flip && batchOffset) left = width + 2 * this.padding - ow - left;
      }
      this.writeSample(index, top - this.padding, left - this.padding, flip, images, k * per);
    }
    return { images, labels, shape: [indices.length, oh, ow, ch], indices, batchIndex };
  }

  /** Copies the window at (y0, x0) of the unpadded image (outside = zero pixels), mirrored if flip. */
  private writeSample(
    index: number,
    y0: number,
    x0: number,
    flip: boolean,
    out: Float32Array,
    offset: number,
  ): void {
    const { height, width, channels, images } = this.dataset;
    const [oh, ow] = this.outSize;
    const src = index * height * width * channels;
    const { luts, padValues } = this;
    let o = offset;
    if (channels === 1) {
      // One-channel fast path (MNIST): no channel loop, the padding value hoisted.
      const lut = luts[0];
      const pad = padValues[0];
      for (let y = 0; y < oh; y++) {
        const sy = y0 + y;
        if (sy < 0 || sy >= height) {
          out.fill(pad, o, o + ow);
          o += ow;
          continue;
        }
        const row = src + sy * width;
        for (let x = 0; x < ow; x++) {
          const sx = flip ? x0 + ow - 1 - x : x0 + x;
          out[o++] = sx >= 0 && sx < width ? lut[images[row + sx]] : pad;
        }
      }
      return;
    }
    for (let y = 0; y < oh; y++) {
      const sy = y0 + y;
      const rowInside = sy >= 0 && sy < height;
      const row = src + sy * width * channels;
      for (let x = 0; x < ow; x++) {
        const sx = x0 + (flip ? ow - 1 - x : x);
        if (rowInside && sx >= 0 && sx < width) {
          const p = row + sx * channels;
          for (let c = 0; c < channels; c++) out[o++] = luts[c][images[p + c]];
        } else {
          for (let c = 0; c < channels; c++) out[o++] = padValues[c];
        }
      }
    }
  }
}
