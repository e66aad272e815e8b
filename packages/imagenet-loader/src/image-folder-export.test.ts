import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ArrayLoader } from './array-loader.js';
import { ImageFolderLoader } from './batch-loader.js';
import { FASHION_MNIST_CLASSES, type ImageArrayDataset } from './idx-dataset.js';
import { classFolderName, exportImageFolder } from './image-folder-export.js';
import { indexImageNet } from './imagenet-index.js';
import { makeTempDir } from './test-fixtures.js';

function dataset(count: number, seed: number): ImageArrayDataset {
  const images = new Uint8Array(count * 28 * 28);
  for (let i = 0; i < images.length; i++) images[i] = (i * 13 + seed * 7 + (i >> 6)) & 255;
  // Labels 0..11 so that plain numbers would sort "10" before "2".
  const labels = Int32Array.from({ length: count }, (_, i) => (i * 5 + seed) % 12);
  return { images, labels, count, height: 28, width: 28, channels: 1 };
}

describe('exportImageFolder', () => {
  it('names folders so that sorted order is label order', () => {
    expect(classFolderName(3, 12)).toBe('03');
    expect(classFolderName(0, 10, FASHION_MNIST_CLASSES[0])).toBe('0_T-shirt-top');
    expect(classFolderName(9, 10, FASHION_MNIST_CLASSES[9])).toBe('9_Ankle-boot');
  });

  it('writes PNG trees that the ImageNet pipeline reads back to the same pixels and labels', async () => {
    const out = await makeTempDir('export');
    const train = dataset(30, 1);
    const val = dataset(14, 2);
    expect(await exportImageFolder({ train, val }, out, { limit: 24 })).toEqual({ train: 24, val: 14 });
    const index = await indexImageNet(out);
    expect(index.classes).toEqual(Array.from({ length: 12 }, (_, k) => classFolderName(k, 12)));
    expect(index.train.files).toHaveLength(24);
    expect(index.valLayout).toBe('folders');
    const first = await sharp(join(index.train.dir, index.train.files[0])).metadata();
    expect(first).toMatchObject({ format: 'png', width: 28, height: 28, channels: 1 });

    // Eval at the native size with mean/std per channel equal reproduces the in-memory loader exactly.
    const stats = { mean: [0.3, 0.3, 0.3], std: [0.4, 0.4, 0.4] };
    const loader = new ImageFolderLoader(index.val!, {
      mode: 'eval',
      batchSize: 14,
      cropSize: 28,
      resizeSize: 28,
      ...stats,
    });
    const [batch] = await collectAll(loader.epoch(0));
    const memory = [
      ...new ArrayLoader(val, { batchSize: 14, shuffle: false, mean: [0.3], std: [0.4] }).epoch(0),
    ][0];
    for (let k = 0; k < 14; k++) {
      const file = index.val!.files[batch.indices[k]];
      const original = Number(file.split('/')[1].replace('.png', ''));
      expect(batch.labels[k]).toBe(val.labels[original]);
      for (let p = 0; p < 784; p++) {
        const v = batch.images[(k * 784 + p) * 3];
        expect(batch.images[(k * 784 + p) * 3 + 2]).toBe(v);
        if (Math.abs(v - memory.images[original * 784 + p]) > 1e-5) {
          throw new Error(`pixel ${p} of ${file}: ${v} vs ${memory.images[original * 784 + p]}`);
        }
      }
    }
  });
});

async function collectAll<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}
