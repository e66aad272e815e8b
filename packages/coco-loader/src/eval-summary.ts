import type { CocoEvalResult } from './coco-eval.js';

/** The 12 summary numbers under the names used in reports and `--json` output. */
export interface EvalSummaryJson {
  AP: number;
  AP50: number;
  AP75: number;
  APs: number;
  APm: number;
  APl: number;
  AR1: number;
  AR10: number;
  AR100: number;
  ARs: number;
  ARm: number;
  ARl: number;
}

const KEYS = [
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
] as const;

// [ap, iou, area, maxDets] of each line of pycocotools' summarize() for bbox
const LINES: [boolean, string, string, number][] = [
  [true, '0.50:0.95', 'all', 100],
  [true, '0.50', 'all', 100],
  [true, '0.75', 'all', 100],
  [true, '0.50:0.95', 'small', 100],
  [true, '0.50:0.95', 'medium', 100],
  [true, '0.50:0.95', 'large', 100],
  [false, '0.50:0.95', 'all', 1],
  [false, '0.50:0.95', 'all', 10],
  [false, '0.50:0.95', 'all', 100],
  [false, '0.50:0.95', 'small', 100],
  [false, '0.50:0.95', 'medium', 100],
  [false, '0.50:0.95', 'large', 100],
];

/**
 * Python's '{:0.3f}'. toFixed rounds exact ties up where Python rounds them to even; at three
 * decimals a double is an exact tie only when it is an odd multiple of 1/16 (0.0625, 0.3125 ...).
 */
export function formatFixed3(v: number): string {
  if (Number.isFinite(v) && v >= 0 && (v * 16) % 2 === 1) {
    const lower = Math.floor(v * 1000); // exact: v * 1000 is a multiple of 62.5
    return ((lower % 2 === 0 ? lower : lower + 1) / 1000).toFixed(3);
  }
  return v.toFixed(3);
}

/** The 12 lines exactly as pycocotools' summarize() prints them, joined with newlines. */
export function formatSummary(stats: readonly number[] | CocoEvalResult): string {
  const s = Array.isArray(stats) ? stats : (stats as CocoEvalResult).stats;
  if (s.length !== 12) throw new Error(`formatSummary needs 12 numbers, got ${s.length}`);
  return LINES.map(([ap, iou, area, maxDets], i) => {
    const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
    const type = ap ? '(AP)' : '(AR)';
    return ` ${title} ${type} @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | maxDets=${String(maxDets).padStart(3)} ] = ${formatFixed3(s[i])}`;
  }).join('\n');
}

/** The 12 numbers as one object with keys AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
export function summaryToJson(stats: readonly number[] | CocoEvalResult): EvalSummaryJson {
  const s = Array.isArray(stats) ? stats : (stats as CocoEvalResult).stats;
  if (s.length !== 12) throw new Error(`summaryToJson needs 12 numbers, got ${s.length}`);
  return Object.fromEntries(KEYS.map((k, i) => [k, s[i]])) as unknown as EvalSummaryJson;
}
