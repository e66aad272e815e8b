import type { CocoInstances } from './coco-instances.js';
import type { DetectionResults } from './detection-results.js';
import { iouMatrix } from './iou.js';
import { numpySum } from './pairwise-sum.js';

/** Evaluation parameters; the defaults are COCO's bbox settings. */
export interface EvalParams {
  iouThrs: Float64Array;
  recThrs: Float64Array;
  maxDets: number[];
  areaRng: [number, number][];
  areaRngLbl: string[];
}

/** Result of evaluateBbox: the accumulated arrays of COCOeval.eval and the 12 summary numbers. */
export interface CocoEvalResult {
  params: EvalParams;
  imageIds: number[];
  categoryIds: number[];
  /** Shape [T, R, K, A, M] row-major; -1 where a category has no ground truth in that area range. */
  precision: Float64Array;
  /** Shape [T, K, A, M] row-major. */
  recall: Float64Array;
  /** The 12 numbers of summarize(): AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
  stats: number[];
}

/** numpy.linspace with endpoint, reproduced operation for operation (the thresholds must be the same doubles). */
function linspace(start: number, stop: number, num: number): Float64Array {
  const step = (stop - start) / (num - 1);
  const y = new Float64Array(num);
  for (let i = 0; i < num; i++) y[i] = i * step + start;
  y[num - 1] = stop;
  return y;
}

/** COCO's bbox parameters: IoU 0.50:0.05:0.95, 101 recall points, maxDets 1/10/100, four area ranges. */
export function defaultEvalParams(): EvalParams {
  return {
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0, 1, Math.round(1 / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0, 1e5 ** 2],
      [0, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}

/** Options of evaluateBbox. */
export interface EvalOptions {
  /** Evaluate only these image ids (default: every image of the ground truth). */
  imageIds?: number[];
}

// machine epsilon, numpy's np.spacing(1), added to the precision denominator as COCOeval does
const EPS = 2.220446049250313e-16;
const TP = 1;
const IGNORED = 2;

/** Stable order of indices by descending score (numpy argsort(-score, kind='mergesort')). */
function byScoreDesc(idx: number[], scores: Float64Array): number[] {
  return idx.sort((a, b) => scores[b] - scores[a] || 0);
}

/**
 * COCO bbox evaluation with the semantics of pycocotools' COCOeval (evaluate, accumulate,
 * summarize): greedy matching by score per image and category, crowd regions matched by overlap
 * over detection area and counted neither way, ignore by area range, 101-point interpolated
 * precision. As in pycocotools, a ground truth's own "ignore" field has no effect (COCOeval
 * overwrites it with iscrowd), and a match to a ground truth whose id is 0 counts as no match.
 */
export function evaluateBbox(
  gt: CocoInstances,
  dt: DetectionResults,
  options: EvalOptions = {},
): CocoEvalResult {
  const p = defaultEvalParams();
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const K = gt.categories.size;
  const maxDet = p.maxDets[M - 1];

  // images evaluated, ascending by id (np.unique), and each gt image index's rank among them
  const imageIds = [...new Set(options.imageIds ?? Array.from(gt.images.ids))].sort((a, b) => a - b);
  const I = imageIds.length;
  const rankOf = new Int32Array(gt.numImages).fill(-1);
  imageIds.forEach((id, r) => {
    const i = gt.imageIndexOf(id);
    if (i >= 0) rankOf[i] = r;
  });

  // ground truth and detections grouped by (category, image rank), in file order within a cell
  const g = gt.annotations;
  const gtCells = groupByCell(g.categoryIndex, g.imageIndex, rankOf, I, K);
  const dtCells = groupByCell(dt.categoryIndex, dt.imageIndex, rankOf, I, K);

  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const gtIgnore = new Uint8Array(g.ids.length);
  // scratch per image and category, sized for the largest ground-truth list
  let maxG = 0;
  for (let c = 0; c < K * I; c++) maxG = Math.max(maxG, cellSize(gtCells, c));
  const order = new Int32Array(maxG);
  const gIg = new Uint8Array(maxG);
  const gCrowd = new Uint8Array(maxG);
  const gId = new Float64Array(maxG);
  const gMatched = new Uint8Array(maxG);

  for (let k = 0; k < K; k++) {
    // per category: detections of all images, image by image, each image's in score order (top maxDet)
    let nk = 0;
    for (let r = 0; r < I; r++) nk += Math.min(cellSize(dtCells, k * I + r), maxDet);
    const scores = new Float64Array(nk);
    const rankInImage = new Int32Array(nk);
    const flags = new Uint8Array(A * T * nk); // [a][t][det]: TP and IGNORED bits
    const npig = new Float64Array(A);
    let base = 0;
    for (let r = 0; r < I; r++) {
      const cell = k * I + r;
      const gIdx = cellItems(gtCells, cell);
      const dCell = cellItems(dtCells, cell);
      if (gIdx.length === 0 && dCell.length === 0) continue;
      const dIdx =
        dCell.length > 1 ? byScoreDesc(Array.from(dCell), dt.scores).slice(0, maxDet) : Array.from(dCell);
      const D = dIdx.length;
      const G = gIdx.length;
      for (let d = 0; d < D; d++) {
        scores[base + d] = dt.scores[dIdx[d]];
        rankInImage[base + d] = d;
      }
      const ious = iouMatrix(dt.bboxes, dIdx, g.bboxes, gIdx, g.iscrowd);
      for (let a = 0; a < A; a++) {
        const [lo, hi] = p.areaRng[a];
        for (const j of gIdx) {
          const area = g.areas[j];
          gtIgnore[j] = g.iscrowd[j] || area < lo || area > hi ? 1 : 0;
        }
        // ground truth not ignored first, stably (argsort of the ignore flags)
        let G0 = 0;
        for (let c = 0; c < G; c++) if (!gtIgnore[gIdx[c]]) order[G0++] = c;
        npig[a] += G0;
        for (let c = 0, s = G0; c < G; c++) if (gtIgnore[gIdx[c]]) order[s++] = c;
        for (let s = 0; s < G; s++) {
          const j = gIdx[order[s]];
          gIg[s] = gtIgnore[j];
          gCrowd[s] = g.iscrowd[j];
          gId[s] = g.ids[j];
        }
        for (let t = 0; t < T; t++) {
          gMatched.fill(0, 0, G);
          const off = (a * T + t) * nk + base;
          const thr = Math.min(p.iouThrs[t], 1 - 1e-10);
          for (let d = 0; d < D; d++) {
            let best = thr;
            let m = -1;
            for (let s = 0; s < G; s++) {
              if (gMatched[s] && !gCrowd[s]) continue;
              // once matched to a real object, stop at the first ignored ground truth
              if (m > -1 && gIg[m] === 0 && gIg[s] === 1) break;
              const iou = ious[d * G + order[s]];
              if (iou < best) continue;
              best = iou;
              m = s;
            }
            let fl = 0;
            let matchedId = 0;
            if (m !== -1) {
              if (gIg[m]) fl |= IGNORED;
              matchedId = gId[m];
              gMatched[m] = 1;
            }
            if (matchedId !== 0) fl |= TP;
            else {
              const area = dt.areas[dIdx[d]];
              if (area < lo || area > hi) fl |= IGNORED;
            }
            flags[off + d] = fl;
          }
        }
      }
      base += D;
    }

    for (let mi = 0; mi < M; mi++) {
      const md = p.maxDets[mi];
      const sel: number[] = [];
      for (let j = 0; j < nk; j++) if (rankInImage[j] < md) sel.push(j);
      const sorted = byScoreDesc(sel, scores);
      const nd = sorted.length;
      const rc = new Float64Array(nd);
      const pr = new Float64Array(nd);
      for (let a = 0; a < A; a++) {
        if (npig[a] === 0) continue;
        for (let t = 0; t < T; t++) {
          const f = flags.subarray((a * T + t) * nk, (a * T + t + 1) * nk);
          let tp = 0;
          let fp = 0;
          for (let j = 0; j < nd; j++) {
            const fl = f[sorted[j]];
            if (!(fl & IGNORED)) {
              if (fl & TP) tp++;
              else fp++;
            }
            rc[j] = tp / npig[a];
            pr[j] = tp / (fp + tp + EPS);
          }
          recall[((t * K + k) * A + a) * M + mi] = nd ? rc[nd - 1] : 0;
          // precision envelope: best precision at any recall at least as high
          for (let j = nd - 1; j > 0; j--) if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
          const off = (t * R * K + k) * A * M + a * M + mi;
          let j = 0;
          for (let ri = 0; ri < R; ri++) {
            while (j < nd && rc[j] < p.recThrs[ri]) j++;
            const q = j < nd ? pr[j] : 0;
            precision[off + ri * K * A * M] = q;
          }
        }
      }
    }
  }

  const result: CocoEvalResult = {
    params: p,
    imageIds,
    categoryIds: gt.categories.ids(),
    precision,
    recall,
    stats: [],
  };
  result.stats = summarizeStats(result);
  return result;
}

/** Counting sort of items into cells k*I + rank (items of excluded images dropped); stable. */
function groupByCell(
  cat: Int32Array,
  img: Int32Array,
  rankOf: Int32Array,
  I: number,
  K: number,
): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(K * I + 1);
  for (let j = 0; j < cat.length; j++) {
    const r = rankOf[img[j]];
    if (r >= 0) start[cat[j] * I + r + 1]++;
  }
  for (let c = 0; c < K * I; c++) start[c + 1] += start[c];
  const fill = start.slice(0, K * I);
  const list = new Int32Array(start[K * I]);
  for (let j = 0; j < cat.length; j++) {
    const r = rankOf[img[j]];
    if (r >= 0) list[fill[cat[j] * I + r]++] = j;
  }
  return { start, list };
}

const cellSize = (c: { start: Int32Array }, cell: number): number => c.start[cell + 1] - c.start[cell];
const cellItems = (c: { start: Int32Array; list: Int32Array }, cell: number): Int32Array =>
  c.list.subarray(c.start[cell], c.start[cell + 1]);

/** The mean of the cells above -1 of precision or recall at one IoU (or all), area range and maxDets; -1 when none. */
export function summarizeValue(
  r: CocoEvalResult,
  ap: boolean,
  iouThr: number | null,
  areaLbl: string,
  maxDets: number,
): number {
  const p = r.params;
  const R = p.recThrs.length;
  const K = r.categoryIds.length;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const a = p.areaRngLbl.indexOf(areaLbl);
  const m = p.maxDets.indexOf(maxDets);
  if (a < 0 || m < 0) return -1;
  // exact float comparison, as np.where(iouThr == p.iouThrs)
  const ts = [...p.iouThrs.keys()].filter((t) => iouThr === null || p.iouThrs[t] === iouThr);
  // the kept cells in numpy's C order of s[s > -1]: t, then recall point, then category
  const kept: number[] = [];
  for (const t of ts) {
    if (ap) {
      for (let ri = 0; ri < R; ri++) {
        for (let k = 0; k < K; k++) {
          const v = r.precision[(((t * R + ri) * K + k) * A + a) * M + m];
          if (v > -1) kept.push(v);
        }
      }
    } else {
      for (let k = 0; k < K; k++) {
        const v = r.recall[((t * K + k) * A + a) * M + m];
        if (v > -1) kept.push(v);
      }
    }
  }
  return kept.length === 0 ? -1 : numpySum(kept) / kept.length;
}

/** The 12 numbers of pycocotools' summarize() for bbox, in its order. */
export function summarizeStats(r: CocoEvalResult): number[] {
  const [m1, m10, m100] = r.params.maxDets;
  return [
    summarizeValue(r, true, null, 'all', m100),
    summarizeValue(r, true, 0.5, 'all', m100),
    summarizeValue(r, true, 0.75, 'all', m100),
    summarizeValue(r, true, null, 'small', m100),
    summarizeValue(r, true, null, 'medium', m100),
    summarizeValue(r, true, null, 'large', m100),
    summarizeValue(r, false, null, 'all', m1),
    summarizeValue(r, false, null, 'all', m10),
    summarizeValue(r, false, null, 'all', m100),
    summarizeValue(r, false, null, 'small', m100),
    summarizeValue(r, false, null, 'medium', m100),
    summarizeValue(r, false, null, 'large', m100),
  ];
}
