import { resolve } from 'node:path';

/**
 * The data folder of a run: `--data` when given, else the folder the run recorded when it started (its
 * config's `data`), so that `repro train --resume` and `repro eval` need no `--data` for a run that had one.
 */
export function runDataDir(flag: string | undefined, config: object): string | undefined {
  if (flag !== undefined) return flag;
  const recorded = (config as { data?: unknown }).data;
  return typeof recorded === 'string' ? recorded : undefined;
}

/** What a run records of its data folder in config.json: the absolute path, or nothing (the shipped data). */
export function recordedDataDir(dir: string | undefined): { data?: string } {
  return dir === undefined ? {} : { data: resolve(dir) };
}
