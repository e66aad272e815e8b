import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Batch } from './batch.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import {
  batchCount,
  type ResolvedSampling,
  resolveSampling,
  type SamplingOptions,
  sampleSeed,
  shardOrder,
} from './epoch-sampler.js';
import {
  evalTransform,
  type ImageTransformOptions,
  type ResolvedTransformOptions,
  resolveTransformOptions,
  trainTransform,
} from './image-transform.js';
import type { SplitIndex } from './imagefolder-index.js';
import { createRng } from './prng.js';

// sharp runs on libuv's pool (4 threads unless told otherwise); libuv reads this when the pool first starts.
if (process.env.UV_THREADPOOL_SIZE === undefined) {
  process.env.UV_THREADPOOL_SIZE = String(Math.max(4, availableParallelism()));
}

/** Options of ImageFolderLoader. */
export interface ImageFolderLoaderOptions extends SamplingOptions, ImageTransformOptions {
  /** 'train': RandomResizedCrop + flip; 'eval': resize + center crop. */
  mode: 'train' | 'eval';
  /** Images decoded at once. Default os.availableParallelism(). */
  concurrency?: number;
  /** libvips threads per image; default max(1, cores / concurrency) so the two do not oversubscribe. */
  vipsThreads?: number;
  /** Keep libvips' operation cache on (process-wide). Default false: images are all new; caching cost ~1.5 ms each. */
  sharpCache?: boolean;
  /** Batches decoded ahead of the consumer. Default 2. */
  prefetchBatches?: number;
  /** Throw on an unreadable image instead of skipping it. Default false. */
  failOnBadImage?: boolean;
  /** Receives warnings about skipped images. Default console.warn. */
  onWarning?: (message: string) => void;
}

/** Where to start an epoch. */
export interface EpochStart {
  /** Skip this many batches of the epoch (resume mid-epoch). Default 0. */
  startBatch?: number;
}

/**
 * Streams batches of an image split: shuffled per epoch from a seed, one shard per rank, decoded and augmented
 * by sharp on every core with a bounded prefetch queue.
 */
export class ImageFolderLoader {
  /** Files skipped because they could not be decoded, in the order they failed. */
  readonly badFiles: string[] = [];
  private readonly sampling: ResolvedSampling;
  private readonly transform: ResolvedTransformOptions;
  private readonly concurrency: number;
  private readonly prefetch: number;

  constructor(
    private readonly split: SplitIndex,
    private readonly options: ImageFolderLoaderOptions,
  ) {
    this.sampling = resolveSampling({ shuffle: options.mode === 'train', ...options });
    this.transform = resolveTransformOptions(options);
    this.concurrency = options.concurrency ?? availableParallelism();
    this.prefetch = options.prefetchBatches ?? 2;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1) {
      throw new Error(`prefetchBatches must be >= 1, got ${this.prefetch}`);
    }
    if (split.files.length !== split.labels.length)
      throw new Error('split files and labels differ in length');
    sharp.concurrency(
      options.vipsThreads ?? Math.max(1, Math.floor(availableParallelism() / this.concurrency)),
    );
    if (!options.sharpCache) sharp.cache(false);
  }

  /** Number of images skipped so far. */
  get badImageCount(): number {
    return this.badFiles.length;
  }

  /** Samples this rank visits per epoch. */
  get shardSize(): number {
    const { rank, worldSize } = this.sampling;
    return Math.max(0, Math.ceil((this.split.files.length - rank) / worldSize));
  }

  /** Batches this rank gets per epoch. */
  get batchesPerEpoch(): number {
    return batchCount(this.shardSize, this.sampling.batchSize, this.sampling.dropLast);
  }

  /** Output shape of one image: [H, W, 3]. */
  get imageShape(): [number, number, number] {
    return [this.transform.cropSize, this.transform.cropSize, 3];
  }

  /** Dataset indices of this rank's epoch, in visiting order. */
  epochOrder(epoch: number): Int32Array {
    return shardOrder(this.split.files.length, epoch, this.sampling);
  }

  /** Async iterator over the batches of one epoch, optionally starting at a batch offset. */
  async *epoch(epoch: number, start: EpochStart = {}): AsyncGenerator<Batch> {
    const startBatch = start.startBatch ?? 0;
    const total = this.batchesPerEpoch;
    if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > total) {
      throw new Error(`startBatch must be in [0, ${total}], got ${startBatch}`);
    }
    const order = this.epochOrder(epoch);
    const limiter = new ConcurrencyLimiter(this.concurrency);
    const pending: Array<Promise<Batch>> = [];
    let next = startBatch;
    const launch = () => {
      const promise = this.loadBatch(epoch, order, next++, limiter);
      // Rejections surface when the batch is awaited; this keeps an abandoned one from crashing the process.
      promise.catch(() => undefined);
      pending.push(promise);
    };
    try {
      while (pending.length < this.prefetch && next < total) launch();
      while (pending.length > 0) {
        const batch = await pending.shift()!;
        if (next < total) launch();
        // A batch whose every file failed is not passed on: an empty batch would only break the consumer.
        if (batch.shape[0] > 0) yield batch;
      }
    } finally {
      limiter.cancel();
    }
  }

  private async loadBatch(
    epoch: number,
    order: Int32Array,
    b: number,
    limiter: ConcurrencyLimiter,
  ): Promise<Batch> {
    const { batchSize } = this.sampling;
    const indices = order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
    const [h, w, c] = this.imageShape;
    const pixels = h * w * c;
    const images = new Float32Array(indices.length * pixels);
    const ok = await Promise.all(
      Array.from(indices, (datasetIndex, slot) =>
        limiter.run(() => this.loadSample(epoch, datasetIndex, images, slot * pixels)),
      ),
    );
    const kept = ok.reduce((n, good) => n + (good ? 1 : 0), 0);
    const labels = new Int32Array(kept);
    const keptIndices = new Int32Array(kept);
    let k = 0;
    for (let slot = 0; slot < indices.length; slot++) {
      if (!ok[slot]) continue;
      // Compact the batch in place over skipped slots, keeping the order of the survivors.
      if (k !== slot) images.copyWithin(k * pixels, slot * pixels, (slot + 1) * pixels);
      labels[k] = this.split.labels[indices[slot]];
      keptIndices[k] = indices[slot];
      k++;
    }
    return {
      images: kept === indices.length ? images : images.slice(0, kept * pixels),
      labels,
      shape: [kept, h, w, c],
      indices: keptIndices,
      batchIndex: b,
    };
  }

  private async loadSample(
    epoch: number,
    datasetIndex: number,
    out: Float32Array,
    offset: number,
  ): Promise<boolean> {
    const path = join(this.split.dir, this.split.files[datasetIndex]);
    try {
      const bytes = await readFile(path);
      if (this.options.mode === 'train') {
        const rng = createRng(sampleSeed(this.sampling.seed, epoch, datasetIndex));
        await trainTransform(bytes, rng, out, offset, this.transform);
      } else {
        await evalTransform(bytes, out, offset, this.transform);
      }
      return true;
    } catch (error) {
      const message = `cannot decode ${path}: ${(error as Error).message}`;
      if (this.options.failOnBadImage) throw new Error(message);
      this.badFiles.push(path);
      (this.options.onWarning ?? console.warn)(`skipping image: ${message}`);
      return false;
    }
  }
}
