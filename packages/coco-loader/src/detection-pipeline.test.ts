import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateBbox } from './coco-eval.js';
import type { CocoInstances } from './coco-instances.js';
import { type DetectionBatch, DetectionPipeline } from './detection-pipeline.js';
import { readResults, resultsFromJson } from './detection-results.js';
import { fashionItems } from './fashion-items.test-helper.js';
import { writeFashionMosaic } from './fashion-mosaic.js';
import { IMAGENET_MEAN, IMAGENET_STD, resizeScale, transformBoxes } from './image-transform.js';
import { readInstances } from './instances-reader.js';
import { toCocoResults, writeResults } from './results-writer.js';

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
    const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
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

  it('names a missing image file', async () => {
    const p = new DetectionPipeline(inst, { ...base(), shuffle: false, batchSize: 4 });
    rmSync(join(imageDir, inst.images.fileNames[5]));
    await expect(all(p.epoch(0))).rejects.toThrow(
      new RegExp(`${inst.images.fileNames[5]}: image file is missing \\(image id ${inst.images.ids[5]}`),
    );
  });
});
