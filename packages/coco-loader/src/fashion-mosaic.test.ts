import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { fashionItems } from './fashion-items.test-helper.js';
import { FASHION_CATEGORY_IDS, type FashionMosaicResult, writeFashionMosaic } from './fashion-mosaic.js';
import { readInstances } from './instances-reader.js';

describe('writeFashionMosaic', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'mosaic-'));
  let res: FashionMosaicResult;
  beforeAll(async () => {
    const { images, labels } = fashionItems(1000);
    res = await writeFashionMosaic({ images, labels, outDir, numTrain: 40, numVal: 10, seed: 3 });
  });

  it('writes COCO instances files that load, with non-contiguous category ids', async () => {
    const train = await readInstances(res.trainPath);
    const val = await readInstances(res.valPath);
    expect(train.numImages).toBe(40);
    expect(val.numImages).toBe(10);
    expect(train.numAnnotations).toBe(res.numTrainObjects);
    expect(train.numAnnotations).toBeGreaterThanOrEqual(40);
    expect(train.categories.ids()).toEqual(FASHION_CATEGORY_IDS);
    expect(train.categories.nameOf(9)).toBe('Ankle boot');
    const ids = new Set(val.images.ids);
    for (const id of train.images.ids) expect(ids.has(id)).toBe(false);
    // boxes inside the canvas, areas no larger than the box
    const a = train.annotations;
    for (let j = 0; j < train.numAnnotations; j++) {
      const [x, y, w, h] = a.bboxes.subarray(j * 4, j * 4 + 4);
      expect(x >= 0 && y >= 0 && x + w <= 128 && y + h <= 128 && w >= 1 && h >= 1).toBe(true);
      expect(a.areas[j]).toBeLessThanOrEqual(w * h);
    }
  });

  it('draws each item inside its box: the JPEG is bright within boxes and dark far outside', async () => {
    const train = await readInstances(res.trainPath);
    const path = join(res.imageDir, train.images.fileNames[0]);
    expect((await sharp(path).metadata()).channels).toBe(1);
    const { data, info } = await sharp(path).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    const mask = new Uint8Array(128 * 128);
    let inside = 0;
    for (const j of train.annotationsOfImage(0)) {
      const [x, y, w, h] = train.annotations.bboxes.subarray(j * 4, j * 4 + 4);
      let sum = 0;
      for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) sum += data[yy * 128 + xx];
      inside = Math.max(inside, sum / (w * h));
      for (let yy = Math.max(0, y - 2); yy < Math.min(128, y + h + 2); yy++)
        for (let xx = Math.max(0, x - 2); xx < Math.min(128, x + w + 2); xx++) mask[yy * 128 + xx] = 1;
    }
    let outside = 0;
    let n = 0;
    for (let p = 0; p < 128 * 128; p++) {
      if (!mask[p]) {
        outside += data[p];
        n++;
      }
    }
    expect(inside).toBeGreaterThan(30);
    expect(outside / n).toBeLessThan(3);
    expect(existsSync(join(res.imageDir, 'val_000009.jpg'))).toBe(true);
  });

  it('is deterministic for a seed', async () => {
    const { images, labels } = fashionItems(1000);
    const again = await writeFashionMosaic({
      images,
      labels,
      outDir: mkdtempSync(join(tmpdir(), 'mosaic-')),
      numTrain: 40,
      numVal: 10,
      seed: 3,
    });
    expect(readFileSync(again.trainPath, 'utf8')).toBe(readFileSync(res.trainPath, 'utf8'));
  });

  it('takes an explicit undefined as the default', async () => {
    const { images, labels } = fashionItems(200);
    const r = await writeFashionMosaic({
      images,
      labels,
      outDir: mkdtempSync(join(tmpdir(), 'mosaic-')),
      numTrain: 3,
      numVal: undefined,
      canvasSize: undefined,
      seed: undefined,
    });
    const val = await readInstances(r.valPath);
    expect(val.numImages).toBe(200);
    expect(val.images.widths[0]).toBe(128);
  });

  it('refuses inconsistent input', async () => {
    await expect(
      writeFashionMosaic({ images: new Uint8Array(100), labels: new Uint8Array(2), outDir }),
    ).rejects.toThrow(/784/);
  });
});
