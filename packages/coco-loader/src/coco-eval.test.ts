import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeEvalCases } from '../scripts/eval-cases.js';
import { evaluateBbox } from './coco-eval.js';
import { cocoEvalFiles } from './coco-eval-files.js';
import { readResults, resultsFromJson } from './detection-results.js';
import { formatSummary, summaryToJson } from './eval-summary.js';
import { instancesFromJson } from './instances-reader.js';

const DIR = join(__dirname, '..', 'test-fixtures', 'eval-cases');
interface Expected {
  stats: number[];
  recall: number[];
  precisionSumOverRecall: number[];
  summary: string;
}
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected>;
const cases = makeEvalCases();

describe('evaluateBbox against pycocotools', () => {
  it('has expected numbers for every generated case', () => {
    expect(Object.keys(expected).sort()).toEqual(cases.map((c) => c.name).sort());
  });

  for (const c of cases) {
    it(`case ${c.name}: stats, recall and precision equal pycocotools to 1e-6`, () => {
      const gt = instancesFromJson(c.gt, `${c.name}.gt.json`);
      const dt = resultsFromJson(c.dt, gt);
      const r = evaluateBbox(gt, dt);
      const e = expected[c.name];
      expect(r.stats.length).toBe(12);
      r.stats.forEach((v, i) => expect(v).toBeCloseTo(e.stats[i], 6));
      expect(r.recall.length).toBe(e.recall.length);
      let maxErr = 0;
      r.recall.forEach((v, i) => {
        maxErr = Math.max(maxErr, Math.abs(v - e.recall[i]));
      });
      // precision summed over the 101 recall points, per [T, K, A, M]
      const [T, R, K, A, M] = [10, 101, r.categoryIds.length, 4, 3];
      for (let t = 0; t < T; t++)
        for (let k = 0; k < K; k++)
          for (let a = 0; a < A; a++)
            for (let m = 0; m < M; m++) {
              let s = 0;
              for (let ri = 0; ri < R; ri++) s += r.precision[(((t * R + ri) * K + k) * A + a) * M + m];
              maxErr = Math.max(
                maxErr,
                Math.abs(s - e.precisionSumOverRecall[((t * K + k) * A + a) * M + m]),
              );
            }
      expect(maxErr).toBeLessThan(1e-9);
      expect(formatSummary(r.stats)).toBe(e.summary);
    });
  }

  it('cocoEvalFiles reads both files and gives the same numbers', async () => {
    const c = cases.find((x) => x.name === 'crowds')!;
    const dir = mkdtempSync(join(tmpdir(), 'coco-eval-'));
    writeFileSync(join(dir, 'gt.json'), JSON.stringify(c.gt));
    writeFileSync(join(dir, 'dt.json'), JSON.stringify(c.dt));
    const r = await cocoEvalFiles(join(dir, 'gt.json'), join(dir, 'dt.json'));
    rmSync(dir, { recursive: true });
    r.stats.forEach((v, i) => expect(v).toBeCloseTo(expected.crowds.stats[i], 6));
    expect(Object.keys(summaryToJson(r))).toEqual([
      'AP',
      'AP50',
      'AP75',
      'APs',
      'APm',
      'APl',
      'AR1',
      'AR10',
      'AR100',
      'ARs',
      'ARm',
      'ARl',
    ]);
    expect(summaryToJson(r).APl).toBe(r.stats[5]);
  });

  it('names the file and position of a malformed results file, streamed or not', async () => {
    const c = cases.find((x) => x.name === 'mixed')!;
    const dir = mkdtempSync(join(tmpdir(), 'coco-eval-'));
    const gt = instancesFromJson(c.gt);
    const text = JSON.stringify(c.dt.slice(0, 3), null, 1).replace('"score"', '"score" 0.5,');
    writeFileSync(join(dir, 'bad.json'), text);
    for (const fastPathBytes of [1 << 30, 0]) {
      await expect(readResults(join(dir, 'bad.json'), gt, fastPathBytes)).rejects.toThrow(
        /bad\.json: malformed JSON at line \d+, column \d+/,
      );
    }
    writeFileSync(join(dir, 'obj.json'), '{"a": 1}');
    await expect(readResults(join(dir, 'obj.json'), gt, 0)).rejects.toThrow(
      /obj\.json: results must be a JSON array/,
    );
    rmSync(dir, { recursive: true });
  });
});

describe('evaluateBbox semantics on hand-made cases', () => {
  const gtDoc = {
    images: [
      { id: 1, width: 100, height: 100 },
      { id: 2, width: 100, height: 100 },
    ],
    categories: [
      { id: 3, name: 'a' },
      { id: 9, name: 'b' },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 3, bbox: [0, 0, 50, 50], area: 2500, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 3, bbox: [50, 50, 50, 50], area: 2500, iscrowd: 1 },
    ],
  };
  const gt = instancesFromJson(gtDoc);

  it('a perfect detection gives AP 1; a detection inside a crowd is neither true nor false positive', () => {
    const dt = resultsFromJson(
      [
        { image_id: 1, category_id: 3, bbox: [0, 0, 50, 50], score: 0.5 },
        { image_id: 1, category_id: 3, bbox: [60, 60, 10, 10], score: 0.9 },
      ],
      gt,
    );
    const r = evaluateBbox(gt, dt);
    expect(r.stats[0]).toBeCloseTo(1, 12);
    // category 9 has no ground truth: its cells are -1 and do not count
    expect(r.stats[3]).toBe(-1);
  });

  it('a false positive ranked first lowers AP; with no detections AP and AR are 0', () => {
    const fp = resultsFromJson(
      [
        { image_id: 2, category_id: 3, bbox: [0, 0, 50, 50], score: 0.9 },
        { image_id: 1, category_id: 3, bbox: [0, 0, 50, 50], score: 0.5 },
      ],
      gt,
    );
    expect(evaluateBbox(gt, fp).stats[1]).toBeCloseTo(0.5, 12);
    const none = evaluateBbox(gt, resultsFromJson([], gt));
    expect(none.stats[0]).toBe(0);
    expect(none.stats[8]).toBe(0);
  });

  it('evaluates a subset of images as if the ground truth held only those', () => {
    const c = cases.find((x) => x.name === 'mixed')!;
    const all = instancesFromJson(c.gt);
    const keep = Array.from(all.images.ids).filter((id) => id % 3 !== 0);
    const keepSet = new Set(keep);
    const subDoc = {
      ...c.gt,
      images: c.gt.images.filter((im) => keepSet.has((im as { id: number }).id)),
      annotations: c.gt.annotations.filter((a) => keepSet.has((a as { image_id: number }).image_id)),
    };
    const sub = instancesFromJson(subDoc);
    const subDt = c.dt.filter((d) => keepSet.has(d.image_id));
    const viaOption = evaluateBbox(all, resultsFromJson(c.dt, all), { imageIds: keep });
    const viaSubset = evaluateBbox(sub, resultsFromJson(subDt, sub));
    expect(viaOption.stats).toEqual(viaSubset.stats);
    expect(viaOption.stats).not.toEqual(evaluateBbox(all, resultsFromJson(c.dt, all)).stats);
  });

  it('refuses a detection on an image the ground truth lacks, naming the file', () => {
    expect(() =>
      resultsFromJson([{ image_id: 77, category_id: 3, bbox: [0, 0, 1, 1], score: 1 }], gt, 'res.json'),
    ).toThrow(/res\.json.*image_id 77/);
  });

  it('counts and drops detections of unknown categories, as COCOeval ignores them', () => {
    const dt = resultsFromJson([{ image_id: 1, category_id: 4, bbox: [0, 0, 1, 1], score: 1 }], gt);
    expect(dt.unknownCategory).toBe(1);
    expect(dt.scores.length).toBe(0);
  });
});
