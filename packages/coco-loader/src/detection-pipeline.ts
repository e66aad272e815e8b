import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CocoFormatError } from './coco-format-error.js';
import type { CocoInstances } from './coco-instances.js';
import {
  loadDetectionImage,
  normalization,
  type ResizeOptions,
  type TransformedImage,
  transformBoxes,
} from './image-transform.js';
import { Prng } from './prng.js';
import {
  type TargetCounts,
  type TargetOptions,
  trainingImageIndices,
  trainingTargets,
} from './training-targets.js';

/** Per-image facts needed to map detections back to the original image. */
export interface ImageMeta {
  imageId: number;
  fileName: string;
  originalWidth: number;
  originalHeight: number;
  /** Size of the resized image inside the padded batch. */
  width: number;
  height: number;
  /** Resized / original. */
  scale: number;
  flipped: boolean;
}

/**
 * A padded batch: images [B, H, W, C] (C = the `channels` option: 3 for RGB, 1 for gray) plus, per image,
 * boxes [x1, y1, x2, y2] in batch pixels.
 */
export interface DetectionBatch {
  images: Float32Array;
  shape: [number, number, number, number];
  boxes: Float32Array[];
  labels: Int32Array[];
  ignoreRegions: Float32Array[];
  meta: ImageMeta[];
}

/** Options of the detection input pipeline. */
export interface DetectionPipelineOptions extends ResizeOptions, TargetOptions {
  /** Folder holding the images' file_name. */
  imageDir: string;
  batchSize: number;
  /** Shuffle every epoch (default true). */
  shuffle?: boolean;
  /** Probability of a horizontal flip per image (default 0: set 0.5 for training). */
  flipProbability?: number;
  seed?: number;
  /** Batch height and width are rounded up to a multiple of this (default 128; torchvision's detectors use 32). */
  padMultiple?: number;
  /** Keep images without any box (default false: training skips them; evaluation wants them). */
  includeEmpty?: boolean;
  /** Drop a last incomplete batch (default false). */
  dropLast?: boolean;
  /** Images decoded ahead of the consumer (default 4). */
  prefetch?: number;
  /** Use exactly these image indices instead of the selection above. */
  imageIndices?: Int32Array;
}

interface Loaded {
  image: TransformedImage;
  i: number;
}

/**
 * Batches of a COCO instances file for detection: resized, optionally flipped, normalized and
 * zero-padded images with their targets, in a seeded order (the same seed and epoch give the same
 * batches), decoded in parallel ahead of the consumer.
 */
export class DetectionPipeline {
  /** Image indices of one epoch before shuffling. */
  readonly indices: Int32Array;
  /** Counts over the file (boxes, crowds, dropped tiny boxes, images with boxes). */
  readonly counts: TargetCounts;
  /** Channels per pixel of the batches: 3 (RGB) or 1 (gray). */
  readonly channels: 1 | 3;
  private readonly opts: DetectionPipelineOptions;

  /** Selects the images (by default those with a box) and counts the targets. */
  constructor(
    readonly instances: CocoInstances,
    options: DetectionPipelineOptions,
  ) {
    if (!(options.batchSize >= 1))
      throw new RangeError(`batchSize must be at least 1, got ${options.batchSize}`);
    const pad = options.padMultiple ?? 128;
    if (!Number.isInteger(pad) || pad < 1)
      throw new RangeError(`padMultiple must be a positive integer, got ${options.padMultiple}`);
    // mean and std against channels, before any image is decoded
    this.channels = normalization(options).channels;
    this.opts = options;
    const sel = trainingImageIndices(instances, options);
    this.counts = sel.counts;
    this.indices = options.imageIndices ?? sel.indices;
  }

  /** Number of images per epoch. */
  get numImages(): number {
    return this.indices.length;
  }

  /** Number of batches per epoch. */
  get batchesPerEpoch(): number {
    const n = this.indices.length;
    const b = this.opts.batchSize;
    return this.opts.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
  }

  /** The image order and flip decisions of an epoch. */
  plan(epoch: number): { order: Int32Array; flips: Uint8Array } {
    const seed = this.opts.seed ?? 0;
    const order = Int32Array.from(this.indices);
    // separate streams, so that turning flips on or off leaves the order unchanged
    if (this.opts.shuffle ?? true) new Prng(seed * 1000003 + epoch * 2 + 1).shuffle(order);
    const flipRng = new Prng(seed * 1000003 + epoch * 2 + 2);
    const p = this.opts.flipProbability ?? 0;
    const flips = new Uint8Array(order.length);
    for (let k = 0; k < order.length; k++) flips[k] = flipRng.next() < p ? 1 : 0;
    return { order, flips };
  }

  /**
   * The batches of one epoch; from `startBatch` on (default 0) when resuming: exactly the batches an
   * uninterrupted epoch yields from there (order, flips and content depend on the seed, the epoch and the
   * position only), without decoding the skipped images. A `startBatch` at or past the end yields nothing.
   */
  epoch(epoch = 0, start: { startBatch?: number } = {}): AsyncGenerator<DetectionBatch> {
    const startBatch = start.startBatch ?? 0;
    // checked here, not in the generator, so that a bad position throws at the call
    if (!Number.isInteger(startBatch) || startBatch < 0) {
      throw new RangeError(`startBatch must be a non-negative integer, got ${startBatch}`);
    }
    return this.batches(epoch, startBatch);
  }

  private async *batches(epoch: number, startBatch: number): AsyncGenerator<DetectionBatch> {
    const { order, flips } = this.plan(epoch);
    const B = this.opts.batchSize;
    const nBatches = this.batchesPerEpoch;
    const total = Math.min(order.length, nBatches * B);
    const ahead = Math.max(this.opts.prefetch ?? 4, 1);
    const pending = new Map<number, Promise<Loaded>>();
    // positions before the first batch are never loaded
    let started = Math.min(startBatch * B, total);
    const startUpTo = (end: number): void => {
      for (; started < Math.min(end, total); started++) {
        const promise = this.load(order[started], flips[started] === 1);
        // handled here so that a failure of a prefetched image surfaces when it is awaited, not as an unhandled rejection
        promise.catch(() => {});
        pending.set(started, promise);
      }
    };
    for (let b = startBatch; b < nBatches; b++) {
      const lo = b * B;
      const hi = Math.min(lo + B, total);
      startUpTo(hi + ahead);
      const items: Loaded[] = [];
      for (let k = lo; k < hi; k++) {
        items.push(await (pending.get(k) as Promise<Loaded>));
        pending.delete(k);
        startUpTo(k + 1 + Math.max(ahead, hi - k));
      }
      yield this.assemble(items);
    }
  }

  /** Iterates epoch 0. */
  [Symbol.asyncIterator](): AsyncGenerator<DetectionBatch> {
    return this.epoch(0);
  }

  private async load(i: number, flip: boolean): Promise<Loaded> {
    const inst = this.instances;
    const fileName = inst.images.fileNames[i];
    const path = join(this.opts.imageDir, fileName);
    let image: TransformedImage;
    try {
      image = await loadDetectionImage(path, flip, this.opts);
    } catch (err) {
      const msg = (err as Error).message;
      // Asked of the file system: sharp does not always say so for a deleted file (a fresh-clone test run
      // got "unsupported image format" for one).
      const missing = !existsSync(path);
      throw new CocoFormatError(
        path,
        `${missing ? 'image file is missing' : `cannot decode the image (${msg})`} (image id ${inst.images.ids[i]} of ${inst.file})`,
      );
    }
    if (image.originalWidth !== inst.images.widths[i] || image.originalHeight !== inst.images.heights[i]) {
      throw new CocoFormatError(
        path,
        `image is ${image.originalWidth}x${image.originalHeight} but ${inst.file} says ${inst.images.widths[i]}x${inst.images.heights[i]}`,
      );
    }
    return { image, i };
  }

  private assemble(items: Loaded[]): DetectionBatch {
    const m = this.opts.padMultiple ?? 128;
    const C = this.channels;
    const H = Math.ceil(Math.max(...items.map((x) => x.image.height)) / m) * m;
    const W = Math.ceil(Math.max(...items.map((x) => x.image.width)) / m) * m;
    const B = items.length;
    const images = new Float32Array(B * H * W * C);
    const batch: DetectionBatch = {
      images,
      shape: [B, H, W, C],
      boxes: [],
      labels: [],
      ignoreRegions: [],
      meta: [],
    };
    items.forEach(({ image, i }, b) => {
      const rowLen = image.width * C;
      for (let y = 0; y < image.height; y++) {
        images.set(image.pixels.subarray(y * rowLen, (y + 1) * rowLen), (b * H + y) * W * C);
      }
      const t = trainingTargets(this.instances, i, this.opts);
      batch.boxes.push(transformBoxes(t.boxes, image.scale, image.flipped, image.width));
      batch.labels.push(t.labels);
      batch.ignoreRegions.push(transformBoxes(t.ignoreRegions, image.scale, image.flipped, image.width));
      batch.meta.push({
        imageId: this.instances.images.ids[i],
        fileName: this.instances.images.fileNames[i],
        originalWidth: image.originalWidth,
        originalHeight: image.originalHeight,
        width: image.width,
        height: image.height,
        scale: image.scale,
        flipped: image.flipped,
      });
    });
    return batch;
  }
}
