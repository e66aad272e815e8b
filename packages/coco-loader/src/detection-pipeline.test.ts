import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { evaluateBbox } from './coco-eval.js';
import type { CocoInstances } from './coco-instances.js';
import { type DetectionBatch, DetectionPipeline } from './detection-pipeline.js';
import { readResults, resultsFromJson } from './detection-results.js';
import { fashionItems } from './fashion-items.test-helper.js';
import { writeFashionMosaic } from './fashion-mosaic.js';
import {
  IMAGENET_MEAN,
  IMAGENET_STD,
  loadDetectionImage,
  resizeScale,
  transformBoxes,
} from './image-transform.js';
import { readInstances } from './instances-reader.js';
import { toCocoResults, writeResults } from './results-writer.js';

// the pipeline's decoder, counted: resuming must not open the images it skips
vi.mock('./image-transform.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./image-transform.js')>();
  return { ...actual, loadDetectionImage: vi.fn(actual.loadDetectionImage) };
});

const outDir = mkdtempSync(join(tmpdir(), 'pipeline-'));
let inst: CocoInstances;
let imageDir: string;

beforeAll(async () => {
  const { images, labels } = fashionItems(600);
  const res = await writeFashionMosaic({ images, labels, outDir, numTrain: 23, numVal: 1, seed: 11 });
  inst = await readInstances(res.trainPath);
  imageDir = res.imageDir;
});

async function all(it: AsyncIterable<DetectionBatch>): Promise<DetectionBatch[]> {
  const out: DetectionBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

const base = () => ({ imageDir, batchSize: 5, shortSide: 200, maxSize: 333, seed: 4 });
const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
/** The mosaic reference's one-channel normalization (retinanet_mosaic.py). */
const M = 0.286;
const S = 0.353;

/** Same shape, the same pixels to the bit, the same targets and metadata. */
function expectSameBatch(a: DetectionBatch, b: DetectionBatch): void {
  expect(a.shape).toEqual(b.shape);
  expect(bytes(a.images).equals(bytes(b.images))).toBe(true);
  expect(a.boxes).toEqual(b.boxes);
  expect(a.labels).toEqual(b.labels);
  expect(a.ignoreRegions).toEqual(b.ignoreRegions);
  expect(a.meta).toEqual(b.meta);
}

describe('resizeScale and transformBoxes', () => {
  it('sets the shorter side unless the longer would pass the maximum', () => {
    expect(resizeScale(640, 480)).toEqual({ scale: 800 / 480, width: 1067, height: 800 });
    expect(resizeScale(2000, 500)).toEqual({ scale: 1333 / 2000, width: 1333, height: 333 });
    expect(resizeScale(128, 128, 200, 333).width).toBe(200);
  });

  it('scales and mirrors boxes', () => {
    const b = Float32Array.from([10, 20, 30, 40]);
    expect(Array.from(transformBoxes(b, 2, false, 100))).toEqual([20, 40, 60, 80]);
    expect(Array.from(transformBoxes(b, 2, true, 100))).toEqual([40, 40, 80, 80]);
  });
});

describe('DetectionPipeline', () => {
  it('yields padded, normalized batches with boxes on the items', async () => {
    const p = new DetectionPipeline(inst, base());
    expect(p.numImages).toBe(23);
    expect(p.batchesPerEpoch).toBe(5);
    const batches = await all(p.epoch(0));
    expect(batches.map((b) => b.shape)).toEqual([
      [5, 256, 256, 3],
      [5, 256, 256, 3],
      [5, 256, 256, 3],
      [5, 256, 256, 3],
      [3, 256, 256, 3],
    ]);
    const ids = batches.flatMap((b) => b.meta.map((m) => m.imageId));
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from(inst.images.ids).sort((a, b) => a - b));
    const b = batches[0];
    const [, H, W] = b.shape;
    const m = b.meta[0];
    expect(m).toMatchObject({
      width: 200,
      height: 200,
      originalWidth: 128,
      scale: 200 / 128,
      flipped: false,
    });
    // padding is zero; the black background is (0 - mean) / std
    expect(b.images[(H - 1) * W * 3 + (W - 1) * 3]).toBe(0);
    expect(b.images[0]).toBeCloseTo(-IMAGENET_MEAN[0] / IMAGENET_STD[0], 5);
    // the items are bright inside their boxes
    const boxes = b.boxes[0];
    expect(boxes.length).toBeGreaterThan(0);
    for (let k = 0; k < boxes.length; k += 4) {
      let sum = 0;
      let n = 0;
      for (let y = Math.ceil(boxes[k + 1]); y < Math.floor(boxes[k + 3]); y++) {
        for (let x = Math.ceil(boxes[k]); x < Math.floor(boxes[k + 2]); x++) {
          sum += b.images[(y * W + x) * 3];
          n++;
        }
      }
      expect(sum / n).toBeGreaterThan(-1.5);
    }
    expect(b.labels[0].length).toBe(boxes.length / 4);
    expect(b.ignoreRegions[0].length).toBe(0);
  });

  it('repeats an epoch for a seed and reshuffles across epochs', async () => {
    const order = (bs: DetectionBatch[]) => bs.flatMap((b) => b.meta.map((m) => m.imageId));
    const p = new DetectionPipeline(inst, { ...base(), flipProbability: 0.5 });
    const e0 = await all(p.epoch(0));
    const again = await all(new DetectionPipeline(inst, { ...base(), flipProbability: 0.5 }).epoch(0));
    expect(order(again)).toEqual(order(e0));
    expect(again.map((b) => b.meta.map((m) => m.flipped))).toEqual(
      e0.map((b) => b.meta.map((m) => m.flipped)),
    );
    expect(bytes(again[1].images).equals(bytes(e0[1].images))).toBe(true);
    expect(order(await all(p.epoch(1)))).not.toEqual(order(e0));
    const flips = e0.flatMap((b) => b.meta.map((m) => m.flipped));
    expect(flips.some((f) => f) && flips.some((f) => !f)).toBe(true);
  });

  it('mirrors images and boxes when flipping', async () => {
    const plain = await all(
      new DetectionPipeline(inst, { ...base(), shuffle: false, batchSize: 2, dropLast: true }),
    );
    const flipped = await all(
      new DetectionPipeline(inst, {
        ...base(),
        shuffle: false,
        batchSize: 2,
        dropLast: true,
        flipProbability: 1,
      }),
    );
    expect(plain.length).toBe(11);
    const [a, f] = [plain[0], flipped[0]];
    const [, , W] = a.shape;
    const w = a.meta[0].width;
    let maxDiff = 0;
    for (let y = 0; y < a.meta[0].height; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          maxDiff = Math.max(
            maxDiff,
            Math.abs(a.images[(y * W + x) * 3 + c] - f.images[(y * W + (w - 1 - x)) * 3 + c]),
          );
        }
      }
    }
    expect(maxDiff).toBeLessThan(1e-6);
    const pb = a.boxes[0];
    const fb = f.boxes[0];
    for (let k = 0; k < pb.length; k += 4) {
      expect(fb[k]).toBeCloseTo(w - pb[k + 2], 4);
      expect(fb[k + 2]).toBeCloseTo(w - pb[k], 4);
      expect(fb[k + 1]).toBe(pb[k + 1]);
    }
  });

  it('maps boxes back to COCO results exactly: ground truth as detections scores AP 1', async () => {
    for (const flipProbability of [0, 1]) {
      const batches = await all(new DetectionPipeline(inst, { ...base(), flipProbability }));
      const results = batches.flatMap((b) =>
        b.meta.flatMap((m, i) =>
          toCocoResults(
            m,
            b.boxes[i],
            new Float32Array(b.labels[i].length).fill(0.9),
            b.labels[i],
            inst.categories,
          ),
        ),
      );
      expect(results[0].category_id % 1).toBe(0);
      const r = evaluateBbox(inst, resultsFromJson(results, inst));
      expect(r.stats[0]).toBeCloseTo(1, 6);
      const path = join(outDir, `results-${flipProbability}.json`);
      await writeResults(path, results);
      const back = await readResults(path, inst);
      expect(back.scores.length).toBe(results.length);
      expect(back.bboxes[0]).toBe(results[0].bbox[0]);
    }
  });

  it('yields [B, H, W, 1] gray batches: the first channel of the RGB batches', async () => {
    const opts = { ...base(), flipProbability: 0.5 };
    const gray = new DetectionPipeline(inst, { ...opts, channels: 1, mean: [M], std: [S] });
    expect(gray.channels).toBe(1);
    const one = await all(gray.epoch(1));
    const three = await all(
      new DetectionPipeline(inst, { ...opts, mean: [M, M, M], std: [S, S, S] }).epoch(1),
    );
    expect(one.map((b) => b.shape)).toEqual(three.map((b) => [...b.shape.slice(0, 3), 1]));
    expect(one[0].shape).toEqual([5, 256, 256, 1]);
    expect(one.flatMap((b) => b.meta.map((m) => m.flipped)).some((f) => f)).toBe(true);
    one.forEach((b, k) => {
      expect(b.meta).toEqual(three[k].meta);
      expect(b.boxes).toEqual(three[k].boxes);
      let differ = 0;
      for (let p = 0; p < b.images.length; p++) if (b.images[p] !== three[k].images[p * 3]) differ++;
      expect(differ).toBe(0);
    });
    // the black background is (0 - mean) / std, the padding 0
    expect(one[0].images[0]).toBeCloseTo(-M / S, 6);
    expect(one[0].images[256 * 256 - 1]).toBe(0);
  });

  it('feeds the mosaic reference: 128x128 gray at native size, padded to 32, the JPEG values mirrored', async () => {
    const p = new DetectionPipeline(inst, {
      ...base(),
      shortSide: 128,
      maxSize: 128,
      padMultiple: 32,
      channels: 1,
      mean: [M],
      std: [S],
      flipProbability: 0.5,
    });
    const batches = await all(p.epoch(0));
    expect(batches.map((b) => b.shape)).toEqual([
      [5, 128, 128, 1],
      [5, 128, 128, 1],
      [5, 128, 128, 1],
      [5, 128, 128, 1],
      [3, 128, 128, 1],
    ]);
    let flipped = 0;
    for (const b of batches.slice(0, 2)) {
      for (const [i, m] of b.meta.entries()) {
        expect(m).toMatchObject({ width: 128, height: 128, scale: 1 });
        const v = await sharp(join(imageDir, m.fileName)).toColourspace('b-w').raw().toBuffer();
        const img = b.images.subarray(i * 128 * 128, (i + 1) * 128 * 128);
        let differ = 0;
        for (let y = 0; y < 128; y++)
          for (let x = 0; x < 128; x++) {
            const src = v[y * 128 + (m.flipped ? 127 - x : x)];
            if (img[y * 128 + x] !== Math.fround(src * (1 / (255 * S)) - M / S)) differ++;
          }
        expect(differ).toBe(0);
        if (m.flipped) flipped++;
      }
    }
    expect(flipped).toBeGreaterThan(0);
  });

  it('pads to a multiple of 32 as torchvision does', async () => {
    const [b200] = await all(new DetectionPipeline(inst, { ...base(), padMultiple: 32 }).epoch(0));
    expect(b200.shape).toEqual([5, 224, 224, 3]);
    const [, H, W, C] = b200.shape;
    let nonzeroPadding = 0;
    for (let i = 0; i < 5; i++) {
      expect(b200.meta[i]).toMatchObject({ width: 200, height: 200 });
      expect(b200.images[i * H * W * C]).toBeCloseTo(-IMAGENET_MEAN[0] / IMAGENET_STD[0], 5);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          for (let c = 0; c < C; c++)
            if ((y >= 200 || x >= 200) && b200.images[((i * H + y) * W + x) * C + c] !== 0) nonzeroPadding++;
    }
    expect(nonzeroPadding).toBe(0);
    const [b100] = await all(
      new DetectionPipeline(inst, { ...base(), shortSide: 100, maxSize: 100, padMultiple: 32 }).epoch(0),
    );
    expect(b100.shape).toEqual([5, 128, 128, 3]);
    const [b96] = await all(
      new DetectionPipeline(inst, { ...base(), shortSide: 96, maxSize: 96, padMultiple: 32 }).epoch(0),
    );
    expect(b96.shape).toEqual([5, 96, 96, 3]);
    expect(() => new DetectionPipeline(inst, { ...base(), padMultiple: 0 })).toThrow(
      'padMultiple must be a positive integer, got 0',
    );
  });

  it('checks mean and std against channels before decoding anything', () => {
    expect(() => new DetectionPipeline(inst, { ...base(), channels: 1 })).toThrow(
      /^mean must be given with channels 1/,
    );
    expect(() => new DetectionPipeline(inst, { ...base(), channels: 1, mean: [M], std: [S, S, S] })).toThrow(
      'std must have one value per channel: got 3 value(s) for channels 1',
    );
    expect(new DetectionPipeline(inst, base()).channels).toBe(3);
  });

  it('names a missing image file', async () => {
    const p = new DetectionPipeline(inst, { ...base(), shuffle: false, batchSize: 4 });
    rmSync(join(imageDir, inst.images.fileNames[5]));
    await expect(all(p.epoch(0))).rejects.toThrow(
      new RegExp(`${inst.images.fileNames[5]}: image file is missing \\(image id ${inst.images.ids[5]}`),
    );
  });
});

describe('DetectionPipeline resuming mid-epoch (startBatch)', () => {
  // a data set of its own: the last test deletes images
  const resumeDir = mkdtempSync(join(tmpdir(), 'pipeline-resume-'));
  let data: CocoInstances;
  let dir: string;
  const opts = () => ({
    imageDir: dir,
    batchSize: 5,
    shortSide: 160,
    maxSize: 200,
    seed: 9,
    flipProbability: 0.5,
    channels: 1 as const,
    mean: [M],
    std: [S],
    prefetch: 3,
  });
  beforeAll(async () => {
    const { images, labels } = fashionItems(600);
    const res = await writeFashionMosaic({
      images,
      labels,
      outDir: resumeDir,
      numTrain: 23,
      numVal: 1,
      seed: 12,
    });
    data = await readInstances(res.trainPath);
    dir = res.imageDir;
  });

  it('yields exactly the rest of the uninterrupted epoch', async () => {
    const p = new DetectionPipeline(data, opts());
    const full = await all(p.epoch(2));
    expect(full.length).toBe(5);
    expect(full.flatMap((b) => b.meta.map((m) => m.flipped)).some((f) => f)).toBe(true);
    for (const startBatch of [0, 1, 3, 4]) {
      const rest = await all(new DetectionPipeline(data, opts()).epoch(2, { startBatch }));
      expect(rest.length).toBe(5 - startBatch);
      rest.forEach((b, k) => expectSameBatch(b, full[startBatch + k]));
    }
    const fromStart = await all(p.epoch(2, {}));
    fromStart.forEach((b, k) => expectSameBatch(b, full[k]));
    // another epoch resumes into its own order
    const e3 = await all(p.epoch(3));
    const e3rest = await all(p.epoch(3, { startBatch: 2 }));
    e3rest.forEach((b, k) => expectSameBatch(b, e3[2 + k]));
    expect(e3[2].meta.map((m) => m.imageId)).not.toEqual(full[2].meta.map((m) => m.imageId));
  });

  it('yields nothing from the end on, also with dropLast', async () => {
    const p = new DetectionPipeline(data, opts());
    expect(await all(p.epoch(0, { startBatch: 5 }))).toEqual([]);
    expect(await all(p.epoch(0, { startBatch: 1000 }))).toEqual([]);
    const d = new DetectionPipeline(data, { ...opts(), dropLast: true });
    expect(d.batchesPerEpoch).toBe(4);
    expect(await all(d.epoch(0, { startBatch: 4 }))).toEqual([]);
    const last = await all(d.epoch(0, { startBatch: 3 }));
    expect(last.length).toBe(1);
    expectSameBatch(last[0], (await all(d.epoch(0)))[3]);
  });

  it('throws a RangeError at the call for a negative or fractional startBatch', () => {
    const p = new DetectionPipeline(data, opts());
    for (const startBatch of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => p.epoch(0, { startBatch })).toThrow(RangeError);
    }
    expect(() => p.epoch(0, { startBatch: -1 })).toThrow('startBatch must be a non-negative integer, got -1');
  });

  it('does not decode the skipped images', async () => {
    const p = new DetectionPipeline(data, { ...opts(), prefetch: 20 });
    const full = await all(p.epoch(1));
    const { order } = p.plan(1);
    const file = (k: number) => data.images.fileNames[order[k]];
    // the images of batches 0 and 1 are gone: resuming at 2 never opens them
    for (let k = 0; k < 10; k++) rmSync(join(dir, file(k)));
    const load = vi.mocked(loadDetectionImage);
    load.mockClear();
    const rest = await all(p.epoch(1, { startBatch: 2 }));
    expect(rest.length).toBe(3);
    rest.forEach((b, k) => expectSameBatch(b, full[2 + k]));
    const opened = load.mock.calls.map(([path]) => path);
    expect(opened).toEqual(Array.from({ length: 13 }, (_, k) => join(dir, file(10 + k))));
    await expect(all(p.epoch(1, { startBatch: 1 }))).rejects.toThrow(/image file is missing/);
  });
});
