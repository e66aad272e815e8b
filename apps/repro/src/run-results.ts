import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '@bioprop/trainer';
import type { RunConfig } from './presets';

/** Alignment of one layer at one logged step (the trainer's `alignment` rows). */
export interface LayerAlignmentRecord {
  layer: string;
  kind: 'conv2d' | 'dense';
  /** Degrees between the feedback B and the forward weights W. */
  feedbackAngle: number;
  /** Degrees between the rule's dx and backprop's dx for the same incoming error. */
  dxAngle: number;
}

/** One logged alignment row: every asymmetric layer whose dx was computed, in backward order (output first). */
export interface AlignmentRow {
  globalStep: number;
  layers: LayerAlignmentRecord[];
}

/** What a run directory says about itself. */
export interface RunResults<C = RunConfig> {
  dir: string;
  config: C;
  epochs: EpochRecord[];
  /** The alignment rows of metrics.jsonl (absent in run results made by hand). */
  alignment?: AlignmentRow[];
}

/**
 * Reads config.json and the epoch and alignment rows of metrics.jsonl; a missing or broken file is an error naming it. `C` is
 * the kind of config the caller expects (a classification run's by default).
 */
export function readRun<C = RunConfig>(dir: string): RunResults<C> {
  const configPath = join(dir, 'config.json');
  const metricsPath = join(dir, 'metrics.jsonl');
  if (!existsSync(configPath)) throw new Error(`${dir} is not a run directory: ${configPath} does not exist`);
  let config: C;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new Error(`${configPath}: not valid JSON (${(err as Error).message})`);
  }
  const epochs: EpochRecord[] = [];
  // A run resumed from a checkpoint older than its last steps logs those steps twice: the later row wins.
  const alignment = new Map<number, AlignmentRow>();
  if (existsSync(metricsPath)) {
    readFileSync(metricsPath, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        let rec: { type?: string } & EpochRecord & AlignmentRow;
        try {
          rec = JSON.parse(line);
        } catch (err) {
          throw new Error(`${metricsPath}:${i + 1}: not valid JSON (${(err as Error).message})`);
        }
        if (rec.type === 'epoch') epochs.push(rec);
        else if (rec.type === 'alignment')
          alignment.set(rec.globalStep, { globalStep: rec.globalStep, layers: rec.layers });
      });
  }
  return {
    dir,
    config,
    epochs,
    alignment: [...alignment.values()].sort((a, b) => a.globalStep - b.globalStep),
  };
}
