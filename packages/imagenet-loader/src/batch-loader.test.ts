import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from './batch.js';
import { ImageFolderLoader, type ImageFolderLoaderOptions } from './batch-loader.js';
import { evalTransform, trainTransform } from './image-transform.js';
import { indexImageFolder, type SplitIndex } from './imagefolder-index.js';
import { createRng, deriveSeed } from './prng.js';
import { encodeFixture, makeTempDir, writeFixture } from './test-fixtures.js';

const SIZE = 16;
const BASE: ImageFolderLoaderOptions = {
  mode: 'train',
  batchSize: 4,
  cropSize: SIZE,
  resizeSize: 18,
  seed: 7,
};

async function collect(iter: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of iter) out.push(batch);
  return out;
}

function allIndices(batches: Batch[]): number[] {
  return batches.flatMap((b) => [...b.indices]);
}

describe('ImageFolderLoader', () => {
  let split: SplitIndex;
  let root: string;
  beforeAll(async () => {
    root = await makeTempDir('loader');
    const kinds = ['rgb-jpeg', 'gray-jpeg', 'cmyk-jpeg', 'png'] as const;
    let n = 0;
    for (const cls of ['c0', 'c1', 'c2']) {
      for (let i = 0; i < 5; i++, n++) {
        await writeFixture(join(root, cls, `img${i}.JPEG`), kinds[n % kinds.length], 30 + n, 24 + (n % 5), n);
      }
    }
    split = await indexImageFolder(root);
  });

  it('yields NHWC batches with the right labels, and every image once per epoch', async () => {
    const loader = new ImageFolderLoader(split, BASE);
    expect(loader.batchesPerEpoch).toBe(4);
    const batches = await collect(loader.epoch(0));
    expect(batches.map((b) => b.shape)).toEqual([
      [4, SIZE, SIZE, 3],
      [4, SIZE, SIZE, 3],
      [4, SIZE, SIZE, 3],
      [3, SIZE, SIZE, 3],
    ]);
    for (const b of batches) {
      expect(b.images.length).toBe(b.shape[0] * SIZE * SIZE * 3);
      expect([...b.labels]).toEqual([...b.indices].map((i) => split.labels[i]));
    }
    expect(allIndices(batches).sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(allIndices(batches)).not.toEqual(Array.from({ length: 15 }, (_, i) => i));
    const dropped = new ImageFolderLoader(split, { ...BASE, dropLast: true });
    expect(dropped.batchesPerEpoch).toBe(3);
    expect((await collect(dropped.epoch(0))).length).toBe(3);
  });

  it('is deterministic for (seed, epoch) and each sample uses its own augmentation seed', async () => {
    const a = await collect(new ImageFolderLoader(split, { ...BASE, concurrency: 3 }).epoch(2));
    const b = await collect(
      new ImageFolderLoader(split, { ...BASE, concurrency: 1, prefetchBatches: 1 }).epoch(2),
    );
    expect(allIndices(a)).toEqual(allIndices(b));
    a.forEach((batch, k) => {
      expect(batch.images).toEqual(b[k].images);
    });
    const other = await collect(new ImageFolderLoader(split, BASE).epoch(3));
    expect(allIndices(other)).not.toEqual(allIndices(a));
    const otherSeed = await collect(new ImageFolderLoader(split, { ...BASE, seed: 8 }).epoch(2));
    expect(allIndices(otherSeed)).not.toEqual(allIndices(a));

    // The first image of the epoch equals trainTransform with seed (7, 2, index).
    const index = a[0].indices[0];
    const expected = new Float32Array(SIZE * SIZE * 3);
    await trainTransform(
      join(split.dir, split.files[index]),
      createRng(deriveSeed(7, 2, index)),
      expected,
      0,
      BASE,
    );
    expect(a[0].images.subarray(0, SIZE * SIZE * 3)).toEqual(expected);
  });

  it('resumes mid-epoch with exactly the same data', async () => {
    const loader = new ImageFolderLoader(split, BASE);
    const full = await collect(loader.epoch(5));
    const resumed = await collect(new ImageFolderLoader(split, BASE).epoch(5, { startBatch: 2 }));
    expect(resumed.length).toBe(2);
    expect(full.map((b) => b.batchIndex)).toEqual([0, 1, 2, 3]);
    expect(resumed.map((b) => b.batchIndex)).toEqual([2, 3]);
    resumed.forEach((batch, k) => {
      expect(batch.indices).toEqual(full[k + 2].indices);
      expect(batch.images).toEqual(full[k + 2].images);
    });
    expect(await collect(loader.epoch(5, { startBatch: 4 }))).toEqual([]);
    await expect(collect(loader.epoch(5, { startBatch: 5 }))).rejects.toThrow(/startBatch/);
  });

  it('splits each epoch into disjoint shards that cover it', async () => {
    for (const worldSize of [2, 4]) {
      const seen: number[] = [];
      for (let rank = 0; rank < worldSize; rank++) {
        const loader = new ImageFolderLoader(split, { ...BASE, rank, worldSize, batchSize: 2 });
        const shard = allIndices(await collect(loader.epoch(1)));
        expect(shard.length).toBe(loader.shardSize);
        seen.push(...shard);
      }
      expect(seen.length).toBe(15);
      expect(new Set(seen).size).toBe(15);
    }
    expect(() => new ImageFolderLoader(split, { ...BASE, rank: 2, worldSize: 2 })).toThrow(/rank/);
  });

  it('evaluation mode keeps the index order and uses the eval transform', async () => {
    const loader = new ImageFolderLoader(split, { ...BASE, mode: 'eval' });
    const batches = await collect(loader.epoch(0));
    expect(allIndices(batches)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const expected = new Float32Array(SIZE * SIZE * 3);
    await evalTransform(join(split.dir, split.files[5]), expected, 0, BASE);
    expect(batches[1].images.subarray(SIZE * SIZE * 3, 2 * SIZE * SIZE * 3)).toEqual(expected);
  });

  it('skips unreadable and truncated files with a warning, or fails when asked, and never hangs', async () => {
    const badRoot = await makeTempDir('bad');
    for (let i = 0; i < 6; i++) await writeFixture(join(badRoot, 'a', `ok${i}.JPEG`), 'rgb-jpeg', 30, 30, i);
    const jpeg = await encodeFixture('rgb-jpeg', 40, 40, 1);
    await writeFile(join(badRoot, 'a', 'truncated.JPEG'), jpeg.subarray(0, jpeg.length >> 1));
    await writeFixture(join(badRoot, 'b', 'fine.JPEG'), 'rgb-jpeg', 30, 30);
    await writeFile(join(badRoot, 'b', 'garbage.JPEG'), 'nope');
    const badSplit = await indexImageFolder(badRoot);
    const warnings: string[] = [];
    const loader = new ImageFolderLoader(badSplit, {
      ...BASE,
      mode: 'eval',
      batchSize: 3,
      onWarning: (m) => warnings.push(m),
    });
    const batches = await collect(loader.epoch(0));
    const total = batches.reduce((n, b) => n + b.shape[0], 0);
    expect(total).toBe(badSplit.files.length - 2);
    for (const b of batches) expect(b.images.length).toBe(b.shape[0] * SIZE * SIZE * 3);
    expect(loader.badImageCount).toBe(2);
    expect(warnings.join('\n')).toContain(join(badRoot, 'a', 'truncated.JPEG'));
    expect(warnings.join('\n')).toContain(join(badRoot, 'b', 'garbage.JPEG'));
    // Surviving images are still the right ones at the right place.
    const goodIndex = batches[0].indices[0];
    const expected = new Float32Array(SIZE * SIZE * 3);
    await evalTransform(join(badRoot, badSplit.files[goodIndex]), expected, 0, BASE);
    expect(batches[0].images.subarray(0, SIZE * SIZE * 3)).toEqual(expected);

    // A batch of nothing but bad files is left out; the others keep their positions.
    const onlyBad = { dir: badRoot, files: badSplit.files, labels: badSplit.labels };
    const sorted = new ImageFolderLoader(onlyBad, {
      ...BASE,
      mode: 'eval',
      batchSize: 1,
      onWarning: () => {},
    });
    const singles = await collect(sorted.epoch(0));
    expect(singles.length).toBe(badSplit.files.length - 2);
    const badPositions = badSplit.files.flatMap((f, i) => (/truncated|garbage/.test(f) ? [i] : []));
    expect(singles.map((b) => b.batchIndex).filter((i) => badPositions.includes(i))).toEqual([]);

    const strict = new ImageFolderLoader(badSplit, {
      ...BASE,
      mode: 'eval',
      batchSize: 3,
      failOnBadImage: true,
    });
    await expect(collect(strict.epoch(0))).rejects.toThrow(/cannot decode .*(truncated|garbage)\.JPEG/);
  });

  it('can be abandoned mid-epoch', async () => {
    const loader = new ImageFolderLoader(split, { ...BASE, batchSize: 2, prefetchBatches: 3 });
    for await (const batch of loader.epoch(0)) {
      expect(batch.shape[0]).toBe(2);
      break;
    }
    const again = await collect(loader.epoch(0));
    expect(again.length).toBe(8);
  });
});
