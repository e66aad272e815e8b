import { MOSAIC_REFERENCE } from '../reference-results';
import type { RunResults } from '../run-results';
import type { DetectionRunConfig } from './detection-presets';

/** A detection run as `readRun` returns it. */
export type DetectionRun = RunResults<DetectionRunConfig>;

const fixed = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

/**
 * The final COCO numbers of detection runs (AP, AP50, AP75, APs, APm, APl per rule) and, for runs with a PyTorch
 * reference, its AP and AP50 per seed, the difference from their mean and whether it is within the tolerance.
 */
export function detectionTable(runs: DetectionRun[]): string {
  const rows = runs.map((run) => {
    const last = run.epochs[run.epochs.length - 1];
    const epoch = `${last?.epoch ?? 0}/${run.config.epochs}`;
    const cells = [
      run.config.rule,
      epoch,
      ...['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl'].map((k) => fixed(last?.[k])),
    ];
    const ref = MOSAIC_REFERENCE[run.config.preset];
    if (!ref || !last) return `| ${cells.join(' | ')} | | | | |`;
    const apDiff = last.AP - mean(ref.ap);
    const ap50Diff = last.AP50 - mean(ref.ap50);
    return `| ${[
      ...cells,
      ref.ap.map(fixed).join(' / '),
      signed(apDiff),
      `${Math.abs(apDiff) <= ref.tolerance ? 'yes' : 'no'} (${ref.tolerance})`,
      ref.ap50.map(fixed).join(' / '),
      signed(ap50Diff),
    ].join(' | ')} |`;
  });
  return [
    '| rule | epoch | AP | AP50 | AP75 | APs | APm | APl | PyTorch AP (seeds) | AP - mean | within | PyTorch AP50 (seeds) | AP50 - mean |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Per epoch of each detection run: both training losses, AP, AP50, AP75, the epoch's time and images/s. */
export function detectionEpochTable(runs: DetectionRun[]): string {
  return runs
    .map((run) =>
      [
        `**${run.config.preset}** (\`${run.dir}\`)`,
        '',
        '| epoch | classification loss | box loss | AP | AP50 | AP75 | seconds | images/s |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        ...run.epochs.map(
          (e) =>
            `| ${e.epoch} | ${e.train_classification?.toFixed(4) ?? '-'} | ${e.train_boxRegression?.toFixed(4) ?? '-'} | ${fixed(e.AP)} | ${fixed(e.AP50)} | ${fixed(e.AP75)} | ${e.seconds.toFixed(0)} | ${e.imagesPerSec.toFixed(1)} |`,
        ),
        '',
      ].join('\n'),
    )
    .join('\n');
}
