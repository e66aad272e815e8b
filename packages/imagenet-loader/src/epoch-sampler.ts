import { createRng, deriveSeed, permutation } from './prng.js';

/** How an epoch is ordered, sharded and cut into batches (shared by the image and the in-memory loaders). */
export interface SamplingOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Reorder each epoch from (seed, epoch). Default true. */
  shuffle?: boolean;
  /** Root seed of shuffling and augmentation. Default 0. */
  seed?: number;
  /** Drop the last batch of the shard if it is smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** This process's shard, 0 <= rank < worldSize. Default 0. */
  rank?: number;
  /** Number of shards each epoch is split into. Default 1. */
  worldSize?: number;
}

/** SamplingOptions with defaults filled in. */
export type ResolvedSampling = Required<SamplingOptions>;

/** Fills in and checks SamplingOptions. */
export function resolveSampling(options: SamplingOptions): ResolvedSampling {
  const s: ResolvedSampling = {
    batchSize: options.batchSize,
    shuffle: options.shuffle ?? true,
    seed: options.seed ?? 0,
    dropLast: options.dropLast ?? false,
    rank: options.rank ?? 0,
    worldSize: options.worldSize ?? 1,
  };
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1)
    throw new Error(`batchSize must be >= 1, got ${s.batchSize}`);
  if (!Number.isInteger(s.worldSize) || s.worldSize < 1)
    throw new Error(`worldSize must be >= 1, got ${s.worldSize}`);
  if (!Number.isInteger(s.rank) || s.rank < 0 || s.rank >= s.worldSize) {
    throw new Error(`rank must be in [0, ${s.worldSize}), got ${s.rank}`);
  }
  return s;
}

/** Seed of the epoch's permutation; augmentation seeds hang off (seed, epoch, sample) instead. */
const SHUFFLE_STREAM = 0x5f3759df;

/**
 * Dataset indices this rank visits in the given epoch: the epoch's permutation (identity without shuffle),
 * then every worldSize-th position starting at rank, so the shards partition the epoch exactly.
 */
export function shardOrder(datasetSize: number, epoch: number, sampling: ResolvedSampling): Int32Array {
  const order = sampling.shuffle
    ? permutation(datasetSize, createRng(deriveSeed(sampling.seed, SHUFFLE_STREAM, epoch)))
    : Int32Array.from({ length: datasetSize }, (_, i) => i);
  if (sampling.worldSize === 1) return order;
  const count = Math.max(0, Math.ceil((datasetSize - sampling.rank) / sampling.worldSize));
  const shard = new Int32Array(count);
  for (let k = 0; k < count; k++) shard[k] = order[sampling.rank + k * sampling.worldSize];
  return shard;
}

/** Number of batches a shard of the given length yields. */
export function batchCount(shardLength: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(shardLength / batchSize) : Math.ceil(shardLength / batchSize);
}

/** The per-sample augmentation seed: depends only on (seed, epoch, dataset index), never on order or shard. */
export function sampleSeed(seed: number, epoch: number, datasetIndex: number): number {
  return deriveSeed(seed, epoch, datasetIndex);
}
