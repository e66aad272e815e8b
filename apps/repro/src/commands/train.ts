import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BackendChoice,
  DivergenceError,
  multiStepSchedule,
  selectBackend,
  trainClassifier,
} from '@bioprop/trainer';
import { openRunData } from '../data-sources';
import { DETECTION_PRESETS } from '../detection/detection-presets';
import { trainDetectionCommand } from '../detection/train-detection';
import { presetConfig, type RunConfig } from '../presets';
import { modelFor, optimizerGroups } from '../run-model';

/** Options of `repro train`. */
export interface TrainCommandOptions {
  preset: string;
  data?: string;
  out?: string;
  resume?: boolean;
  backend?: BackendChoice;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  width?: number;
  inputSize?: number;
  classes?: number;
  seed?: number;
  trainLimit?: number;
  testLimit?: number;
  augmentation?: RunConfig['augmentation'];
  alignmentEvery?: number;
  progress?: 'auto' | 'bar' | 'lines' | 'none';
  /** Train at most this many epochs in this invocation. */
  epochLimit?: number;
  /** Log a step row (and a progress line) every N steps. */
  logEvery?: number;
  /** Checkpoint mid-epoch every M minutes; 0 or unset: only at the end of each epoch. */
  checkpointMinutes?: number;
}

/** A preset's config with the command line's overrides applied. */
export function configFromOptions(opts: TrainCommandOptions): RunConfig {
  const config = presetConfig(opts.preset);
  const set = <K extends keyof RunConfig>(key: K, value: RunConfig[K] | undefined) => {
    if (value !== undefined) config[key] = value;
  };
  set('epochs', opts.epochs);
  set('batchSize', opts.batchSize);
  set('lr', opts.lr);
  set('width', opts.width);
  set('inputSize', opts.inputSize);
  set('classes', opts.classes);
  set('seed', opts.seed);
  set('trainLimit', opts.trainLimit);
  set('testLimit', opts.testLimit);
  set('augmentation', opts.augmentation);
  if (opts.epochs !== undefined) config.milestones = config.milestones.filter((m) => m < opts.epochs!);
  if (opts.inputSize !== undefined && config.resizeSize !== undefined) {
    config.resizeSize = Math.round((opts.inputSize * 256) / 224);
  }
  return config;
}

/** `repro train`: trains a preset, resumable; returns the process exit code. */
export async function trainCommand(opts: TrainCommandOptions): Promise<number> {
  if (DETECTION_PRESETS[opts.preset]) return trainDetectionCommand(opts);
  const out = opts.out ?? join('runs', opts.preset);
  const configPath = join(out, 'config.json');
  // A resumed run keeps the configuration it started with, so it continues exactly.
  const config: RunConfig =
    opts.resume && existsSync(configPath)
      ? (JSON.parse(readFileSync(configPath, 'utf8')) as RunConfig)
      : configFromOptions(opts);
  const backend = await selectBackend(opts.backend ?? 'auto');
  console.error(`backend: ${backend.backend} (${backend.provider}): ${backend.reason}`);
  const data = await openRunData(config, opts.data);
  console.error(data.describe);
  const model = modelFor(config);
  const stop = { requested: false };
  const onSigint = () => {
    if (stop.requested) process.exit(130);
    stop.requested = true;
    console.error('\ninterrupt: finishing the step and writing a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const res = await trainClassifier({
      model,
      train: data.train,
      test: data.test,
      epochs: config.epochs,
      groups: optimizerGroups(model, config),
      schedule: multiStepSchedule(config.milestones),
      runDir: out,
      config: { ...config, backend: backend.backend } as unknown as Record<string, unknown>,
      resume: opts.resume,
      alignmentEvery: opts.alignmentEvery ?? 100,
      logEvery: opts.logEvery,
      progress: opts.progress ?? 'auto',
      stop,
      epochLimit: opts.epochLimit,
      checkpointMinutes: opts.checkpointMinutes || undefined,
    });
    const last = res.history[res.history.length - 1];
    if (last) {
      console.error(
        `${res.status}: top-1 error ${last.top1Err.toFixed(2)}%, top-5 error ${last.top5Err.toFixed(2)}% (${out})`,
      );
    }
    return res.status === 'stopped' ? 130 : 0;
  } catch (err) {
    if (err instanceof DivergenceError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
