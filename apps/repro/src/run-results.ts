import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '@bioprop/trainer';
import type { RunConfig } from './presets';

/** What a run directory says about itself. */
export interface RunResults<C = RunConfig> {
  dir: string;
  config: C;
  epochs: EpochRecord[];
}

/**
 * Reads config.json and the epoch rows of metrics.jsonl; a missing or broken file is an error naming it. `C` is
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
  if (existsSync(metricsPath)) {
    readFileSync(metricsPath, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        let rec: { type?: string } & EpochRecord;
        try {
          rec = JSON.parse(line);
        } catch (err) {
          throw new Error(`${metricsPath}:${i + 1}: not valid JSON (${(err as Error).message})`);
        }
        if (rec.type === 'epoch') epochs.push(rec);
      });
  }
  return { dir, config, epochs };
}
