import { MOSAIC_REFERENCE } from '../reference-results';
import type { RunResults } from '../run-results';
import { DETECTION_PRESETS, type DetectionRunConfig } from './detection-presets';

/** A detection run as `readRun` returns it. */
export type DetectionRun = RunResults<DetectionRunConfig>;

const fixed = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

/**
 * Settings in which a run differs from its preset (a run with overrides is not the reference's run); the seed,
 * the backend and where the data was read from may differ.
 */
export function presetOverrides(config: DetectionRunConfig): string[] {
  const preset = DETECTION_PRESETS[config.preset]?.config as unknown as Record<string, unknown> | undefined;
  if (!preset) return ['preset'];
  const run = config as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(preset), ...Object.keys(run)]);
  keys.delete('backend');
  keys.delete('data');
  keys.delete('seed');
  // One replica is the reference's single process; more normalise batch norm per share, which is another run.
  if (run.replicas === undefined || run.replicas === 1) keys.delete('replicas');
  return [...keys].filter((k) => JSON.stringify(preset[k]) !== JSON.stringify(run[k])).sort();
}

/** The PyTorch reference of a run, when the run is exactly its preset's. */
function referenceOf(run: DetectionRun) {
  return presetOverrides(run.config).length === 0 ? MOSAIC_REFERENCE[run.config.preset] : undefined;
}

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
    const ref = referenceOf(run);
    if (!ref || !last) {
      const why = MOSAIC_REFERENCE[run.config.preset]
        ? `not the reference run (${presetOverrides(run.config).join(', ')} changed)`
        : '';
      return `| ${cells.join(' | ')} | ${why} | | | | |`;
    }
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

/**
 * Per epoch of each detection run: both training losses, AP, AP50, AP75, the epoch's time and images/s, and the
 * PyTorch reference's AP after the same epoch (per seed) where the preset has one.
 */
export function detectionEpochTable(runs: DetectionRun[]): string {
  return runs
    .map((run) => {
      const ref = referenceOf(run);
      const refAp = (epoch: number) =>
        ref ? ref.apPerEpoch.map((seed) => fixed(seed[epoch - 1])).join(' / ') : '-';
      return [
        `**${run.config.preset}** (\`${run.dir}\`)`,
        '',
        '| epoch | classification loss | box loss | AP | AP50 | AP75 | PyTorch AP (seeds) | seconds | images/s |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...run.epochs.map(
          (e) =>
            `| ${e.epoch} | ${e.train_classification?.toFixed(4) ?? '-'} | ${e.train_boxRegression?.toFixed(4) ?? '-'} | ${fixed(e.AP)} | ${fixed(e.AP50)} | ${fixed(e.AP75)} | ${refAp(e.epoch)} | ${e.seconds.toFixed(0)} | ${e.imagesPerSec.toFixed(1)} |`,
        ),
        '',
      ].join('\n');
    })
    .join('\n');
}
