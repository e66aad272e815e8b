import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DivergenceError, type EpochRecord, type TrainOptions, type TrainResult } from '@bioprop/trainer';
import type { TrainCommandOptions } from './train';

/** A run's config: the one it started with when it resumes (so it continues exactly), else `fresh()`. */
export function runConfig<C>(out: string, resume: boolean | undefined, fresh: () => C): C {
  const path = join(out, 'config.json');
  return resume && existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as C) : fresh();
}

/**
 * The data folder of a run: `--data` when given, else the folder the run recorded when it started (its
 * config's `data`), so that `repro train --resume` and `repro eval` need no `--data` for a run that had one.
 */
export function runDataDir(flag: string | undefined, config: object): string | undefined {
  if (flag !== undefined) return flag;
  const recorded = (config as { data?: unknown }).data;
  return typeof recorded === 'string' ? recorded : undefined;
}

/** What a run writes to config.json: its settings, its data folder (absolute; none for shipped data), how it ran. */
export function recordedConfig(
  config: object,
  how: { dataDir: string | undefined; backend: string; replicas: number },
): Record<string, unknown> {
  return {
    ...config,
    ...(how.dataDir === undefined ? {} : { data: resolve(how.dataDir) }),
    backend: how.backend,
    replicas: how.replicas,
  };
}

/**
 * Runs a training call with Ctrl-C and SIGTERM asking it to stop after the step (a second Ctrl-C quits at once),
 * prints the last epoch's `summary`, and returns the exit code: 0 done, 130 stopped, 1 diverged.
 */
export async function runTraining(
  call: (stop: { requested: boolean }) => Promise<TrainResult>,
  summary: (last: EpochRecord) => string,
  out: string,
): Promise<number> {
  const stop = { requested: false };
  const onSignal = () => {
    if (stop.requested) process.exit(130);
    stop.requested = true;
    console.error('\ninterrupt: finishing the step and writing a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const res = await call(stop);
    const last = res.history[res.history.length - 1];
    if (last) console.error(`${res.status}: ${summary(last)} (${out})`);
    return res.status === 'stopped' ? 130 : 0;
  } catch (err) {
    if (err instanceof DivergenceError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The training loop's options that come straight from `repro train`'s flags, the same for every preset family. */
export function loopOptions(opts: TrainCommandOptions, stop: { requested: boolean }) {
  return {
    resume: opts.resume,
    alignmentEvery: opts.alignmentEvery ?? 100,
    logEvery: opts.logEvery,
    progress: opts.progress ?? 'auto',
    stop,
    epochLimit: opts.epochLimit,
    checkpointMinutes: opts.checkpointMinutes || undefined,
  } satisfies Partial<TrainOptions<unknown>>;
}
