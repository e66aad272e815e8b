import { describe, expect, it } from 'vitest';
import {
  ArrayLoader,
  FASHION_MNIST_AUGMENTATION,
  FASHION_MNIST_MEAN,
  FASHION_MNIST_REFERENCE_AUGMENTATION,
  FASHION_MNIST_STD,
} from './array-loader.js';
import type { Batch } from './batch.js';
import type { ImageArrayDataset } from './idx-dataset.js';
import { createRng, deriveSeed } from './prng.js';

function dataset(count: number, height = 28, width = 28, channels = 1): ImageArrayDataset {
  const images = new Uint8Array(count * height * width * channels);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7 + (i >> 5)) & 255;
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, height, width, channels };
}

const norm = (v: number) => Math.fround((v / 255 - FASHION_MNIST_MEAN) / FASHION_MNIST_STD);

describe('ArrayLoader', () => {
  it('without augmentation returns the normalized images', () => {
    const data = dataset(10);
    const loader = new ArrayLoader(data, { batchSize: 4, shuffle: false });
    const batches = [...loader.epoch(0)];
    expect(batches.map((b) => b.shape)).toEqual([
      [4, 28, 28, 1],
      [4, 28, 28, 1],
      [2, 28, 28, 1],
    ]);
    const all = new Float32Array(10 * 784);
    let o = 0;
    for (const b of batches) {
      all.set(b.images, o);
      o += b.images.length;
    }
    expect(all).toEqual(Float32Array.from(data.images, norm));
    expect(batches.flatMap((b) => [...b.labels])).toEqual([...data.labels]);
    const custom = [
      ...new ArrayLoader(data, { batchSize: 10, shuffle: false, mean: [0.5], std: [0.25] }).epoch(0),
    ];
    expect(custom[0].images[1]).toBeCloseTo((data.images[1] / 255 - 0.5) / 0.25, 6);
  });

  it('crops from the zero-padded image and flips as RandomCrop(28, 2) + RandomHorizontalFlip', () => {
    const data = dataset(50);
    const loader = new ArrayLoader(data, {
      batchSize: 50,
      seed: 3,
      augmentation: FASHION_MNIST_AUGMENTATION,
    });
    const [batch] = [...loader.epoch(4)];
    let flips = 0;
    let shifted = 0;
    for (let k = 0; k < 50; k++) {
      const index = batch.indices[k];
      const rng = createRng(deriveSeed(3, 4, index));
      const top = rng.int(0, 5);
      const left = rng.int(0, 5);
      const flip = rng.next() < 0.5;
      flips += flip ? 1 : 0;
      shifted += top !== 2 || left !== 2 ? 1 : 0;
      // Manual: pad to 32x32 with zeros, crop 28x28 at (top, left), then mirror.
      const padded = new Uint8Array(32 * 32);
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) padded[(y + 2) * 32 + x + 2] = data.images[index * 784 + y * 28 + x];
      }
      const expected = new Float32Array(784);
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const cx = flip ? 27 - x : x;
          expected[y * 28 + x] = norm(padded[(top + y) * 32 + left + cx]);
        }
      }
      expect(batch.images.subarray(k * 784, (k + 1) * 784)).toEqual(expected);
      expect(batch.labels[k]).toBe(data.labels[index]);
    }
    expect(flips).toBeGreaterThan(10);
    expect(flips).toBeLessThan(40);
    expect(shifted).toBeGreaterThan(30);
  });

  it('reference augmentation: flip per image, then pad the normalized batch with 0 and crop it at one offset', () => {
    const data = dataset(40);
    const loader = new ArrayLoader(data, {
      batchSize: 8,
      seed: 5,
      augmentation: FASHION_MNIST_REFERENCE_AUGMENTATION,
    });
    const offsets = new Set<string>();
    for (const batch of loader.epoch(2)) {
      // What fashion_mini.py does to each image of the batch, for a candidate batch offset (dy, dx).
      const manual = (k: number, dy: number, dx: number) => {
        const index = batch.indices[k];
        const flip = createRng(deriveSeed(5, 2, index)).next() < 0.5;
        const padded = new Float32Array(32 * 32); // zeros after normalization
        for (let y = 0; y < 28; y++) {
          for (let x = 0; x < 28; x++) {
            const sx = flip ? 27 - x : x;
            padded[(y + 2) * 32 + x + 2] = norm(data.images[index * 784 + y * 28 + sx]);
          }
        }
        const out = new Float32Array(784);
        for (let y = 0; y < 28; y++) {
          for (let x = 0; x < 28; x++) out[y * 28 + x] = padded[(dy + y) * 32 + dx + x];
        }
        return out;
      };
      const size = batch.shape[0];
      const matches: string[] = [];
      for (let dy = 0; dy < 5; dy++) {
        for (let dx = 0; dx < 5; dx++) {
          let all = true;
          for (let k = 0; k < size && all; k++) {
            const got = batch.images.subarray(k * 784, (k + 1) * 784);
            all = manual(k, dy, dx).every((v, i) => v === got[i]);
          }
          if (all) matches.push(`${dy},${dx}`);
        }
      }
      expect(matches).toHaveLength(1);
      offsets.add(matches[0]);
    }
    expect(offsets.size).toBeGreaterThan(1);
    // Resuming mid-epoch draws the same batch offset.
    const [again] = [...loader.epoch(2, { startBatch: 3 })];
    expect(again.images).toEqual([...loader.epoch(2)][3].images);
  });

  it('handles several channels and a crop smaller than the image', () => {
    const data = dataset(3, 6, 5, 3);
    const loader = new ArrayLoader(data, {
      batchSize: 3,
      shuffle: false,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      augmentation: { cropSize: 4, padding: 0, flipProbability: 1 },
    });
    const [batch] = [...loader.epoch(0)];
    expect(batch.shape).toEqual([3, 4, 4, 3]);
    const rng = createRng(deriveSeed(0, 0, 1));
    const top = rng.int(0, 3);
    const left = rng.int(0, 2);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        for (let c = 0; c < 3; c++) {
          const src = data.images[90 + ((top + y) * 5 + left + 3 - x) * 3 + c];
          expect(batch.images[48 + (y * 4 + x) * 3 + c]).toBeCloseTo(src / 255, 6);
        }
      }
    }
  });

  it('shuffles deterministically, shards disjointly, drops the last batch and resumes mid-epoch', () => {
    const data = dataset(103);
    const opts = { batchSize: 8, seed: 11, augmentation: FASHION_MNIST_AUGMENTATION };
    const ids = (batches: Batch[]) => batches.flatMap((b) => [...b.indices]);
    const a = [...new ArrayLoader(data, opts).epoch(1)];
    const b = [...new ArrayLoader(data, opts).epoch(1)];
    expect(ids(a)).toEqual(ids(b));
    a.forEach((batch, k) => {
      expect(batch.images).toEqual(b[k].images);
    });
    expect(ids([...new ArrayLoader(data, opts).epoch(2)])).not.toEqual(ids(a));
    expect([...ids(a)].sort((x, y) => x - y)).toEqual(Array.from({ length: 103 }, (_, i) => i));

    const resumed = [...new ArrayLoader(data, opts).epoch(1, { startBatch: 5 })];
    expect(resumed.length).toBe(a.length - 5);
    expect(resumed[0].images).toEqual(a[5].images);
    expect(resumed[0].batchIndex).toBe(5);

    const seen: number[] = [];
    for (let rank = 0; rank < 3; rank++) {
      const loader = new ArrayLoader(data, { ...opts, rank, worldSize: 3 });
      const shard = ids([...loader.epoch(1)]);
      expect(shard.length).toBe(loader.shardSize);
      seen.push(...shard);
    }
    expect(new Set(seen).size).toBe(103);
    expect(seen.length).toBe(103);

    const dropped = new ArrayLoader(data, { ...opts, dropLast: true });
    expect(dropped.batchesPerEpoch).toBe(12);
    expect([...dropped.epoch(0)].every((batch) => batch.shape[0] === 8)).toBe(true);
  });
});
