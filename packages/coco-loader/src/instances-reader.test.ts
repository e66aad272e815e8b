import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticInstances } from '../bench/synthetic-instances.js';
import { CocoFormatError } from './coco-format-error.js';
import type { CocoInstances } from './coco-instances.js';
import { instancesFromJson, readInstances } from './instances-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'instances-'));
const write = (name: string, doc: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return p;
};

const good = () => ({
  info: { year: 2017 },
  images: [
    { id: 10, width: 640, height: 480, file_name: 'a.jpg' },
    { id: 4, width: 100, height: 200, file_name: 'b.jpg' },
    { id: 7, width: 50, height: 50, file_name: 'c.jpg' },
  ],
  annotations: [
    {
      id: 1,
      image_id: 10,
      category_id: 90,
      bbox: [1, 2, 30, 40],
      area: 900,
      iscrowd: 0,
      segmentation: [[1, 2, 3]],
    },
    { id: 2, image_id: 4, category_id: 1, bbox: [0, 0, 10, 10], area: 50, iscrowd: 1 },
    { id: 3, image_id: 10, category_id: 1, bbox: [5, 5, 0.5, 8] },
  ],
  categories: [
    { id: 90, name: 'toothbrush', supercategory: 'indoor' },
    { id: 1, name: 'person', supercategory: 'person' },
  ],
});

describe('readInstances', () => {
  let big: string;
  beforeAll(async () => {
    big = join(dir, 'synthetic.json');
    await writeSyntheticInstances({ path: big, numImages: 1500, numAnnotations: 9000, seed: 3 });
  });

  const same = (a: CocoInstances, b: CocoInstances): void => {
    expect(a.images).toEqual(b.images);
    expect(a.annotations).toEqual(b.annotations);
    expect(a.categories.categories).toEqual(b.categories.categories);
  };

  it('streams and fast-parses to the same compact form', async () => {
    const fast = await readInstances(big);
    const streamed = await readInstances(big, { fastPathBytes: 0 });
    same(fast, streamed);
    expect(fast.numImages).toBe(1500);
    expect(fast.numAnnotations).toBe(9000);
    expect(fast.categories.size).toBe(80);
    expect(fast.annotations.bboxes).toBeInstanceOf(Float64Array);
  });

  it('indexes by image and category in file order', () => {
    const inst = instancesFromJson(good(), 'good.json');
    expect(inst.numImages).toBe(3);
    expect(inst.imageIndexOf(4)).toBe(1);
    expect(inst.imageIndexOf(5)).toBe(-1);
    expect(Array.from(inst.annotationsOfImage(0)).map((a) => inst.annotations.ids[a])).toEqual([1, 3]);
    expect(inst.annotationsOfImage(2).length).toBe(0);
    // contiguous indices: id 1 -> 0, id 90 -> 1
    expect(Array.from(inst.annotations.categoryIndex)).toEqual([1, 0, 0]);
    expect(Array.from(inst.annotationsOfCategory(0)).map((a) => inst.annotations.ids[a])).toEqual([2, 3]);
    expect(Array.from(inst.imagesOfCategory(0))).toEqual([0, 1]);
    expect(Array.from(inst.annotations.iscrowd)).toEqual([0, 1, 0]);
    // a missing area falls back to w*h
    expect(inst.annotations.areas[2]).toBe(4);
  });

  it('names the file, line and column of malformed JSON on both paths', async () => {
    const text = JSON.stringify(good(), null, 1).replace('"width": 100', '"width": 100,,');
    const p = write('malformed.json', text);
    for (const fastPathBytes of [1 << 30, 0]) {
      const err = await readInstances(p, { fastPathBytes }).catch((e) => e);
      expect(err).toBeInstanceOf(CocoFormatError);
      expect(err.message).toMatch(/malformed\.json: malformed JSON at line \d+, column \d+/);
      const line = text.split('\n').findIndex((l) => l.includes(',,')) + 1;
      expect(err.message).toContain(`line ${line},`);
    }
    const truncated = write('truncated.json', JSON.stringify(good()).slice(0, 150));
    await expect(readInstances(truncated, { fastPathBytes: 0 })).rejects.toThrow(
      /truncated\.json: malformed JSON/,
    );
  });

  it('refuses an annotation of an unknown image or category, or skips and counts it', async () => {
    const doc = good();
    doc.annotations.push({ id: 9, image_id: 999, category_id: 1, bbox: [0, 0, 1, 1], area: 1, iscrowd: 0 });
    doc.annotations.push({ id: 10, image_id: 4, category_id: 12, bbox: [0, 0, 1, 1], area: 1, iscrowd: 0 });
    const p = write('unknown.json', doc);
    await expect(readInstances(p)).rejects.toThrow(
      /unknown\.json: annotation 9 refers to unknown image_id 999/,
    );
    const skipped = await readInstances(p, { onInvalid: 'skip' });
    expect(skipped.numAnnotations).toBe(3);
    expect(skipped.skipped).toMatchObject({ unknownImage: 1, unknownCategory: 1 });
    doc.annotations.splice(3, 1);
    await expect(readInstances(write('unknown-cat.json', doc))).rejects.toThrow(
      /unknown-cat\.json: annotation 10 refers to unknown category_id 12/,
    );
  });

  it('refuses a negative box size, naming file and annotation', async () => {
    const doc = good();
    doc.annotations[1].bbox = [0, 0, -3, 10];
    const p = write('negative.json', doc);
    await expect(readInstances(p, { fastPathBytes: 0 })).rejects.toThrow(
      /negative\.json: annotation 2 has a negative box size \(w=-3, h=10\)/,
    );
    const skipped = await readInstances(p, { onInvalid: 'skip' });
    expect(skipped.skipped.negativeSize).toBe(1);
    expect(skipped.numAnnotations).toBe(2);
  });

  it('refuses files that are not instances files', async () => {
    await expect(readInstances(write('array.json', [1, 2]))).rejects.toThrow(
      /array\.json: is not a JSON object/,
    );
    await expect(readInstances(write('nocats.json', { images: [] }))).rejects.toThrow(/no "categories"/);
    const dup = good();
    dup.annotations[1].id = 1;
    await expect(readInstances(write('dup.json', dup))).rejects.toThrow(/annotation id 1 appears twice/);
    const noSize = good() as { images: Record<string, unknown>[] };
    delete noSize.images[0].width;
    await expect(readInstances(write('nosize.json', noSize))).rejects.toThrow(/image 10 .*width/);
    await expect(readInstances(join(dir, 'absent.json'))).rejects.toThrow(/ENOENT/);
  });
});
