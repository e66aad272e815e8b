import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalSummaryJson } from '@bioprop/coco-loader';
import { MOSAIC_REFERENCE } from '../reference-results';

type EpochRow = EvalSummaryJson & { type: string; epoch: number };

/** The final COCO numbers of detection runs beside the PyTorch reference (Markdown). */
export function detectionTable(runDirs: string[]): string {
  const rows = runDirs.map((dir) => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      preset: string;
      rule: string;
    };
    const epochs = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as EpochRow)
      .filter((r) => r.type === 'epoch');
    const last = epochs[epochs.length - 1];
    const ref = MOSAIC_REFERENCE[config.preset];
    const cells = [config.rule, last.epoch, last.AP, last.AP50, last.AP75, last.APs, last.APm, last.APl].map(
      (v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v)),
    );
    if (!ref) return `| ${cells.join(' | ')} | | | | |`;
    const mean = ref.ap.reduce((a, b) => a + b, 0) / ref.ap.length;
    const diff = last.AP - mean;
    return `| ${cells.join(' | ')} | ${ref.ap.join(' / ')} | ${mean.toFixed(2)} | ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} | ${Math.abs(diff) <= ref.tolerance ? 'yes' : 'no'} (${ref.tolerance}) |`;
  });
  return [
    '| rule | epoch | AP | AP50 | AP75 | APs | APm | APl | PyTorch AP (seeds) | mean | difference | within |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
