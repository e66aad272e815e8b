import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BackendChoice, multiStepSchedule, selectBackend, trainClassifier } from '@bioprop/trainer';
import { openRunData } from '../data-sources';
import { DETECTION_PRESETS } from '../detection/detection-presets';
import { trainDetectionCommand } from '../detection/train-detection';
import { presetConfig, type RunConfig } from '../presets';
import type { ReplicaArgs } from '../replica';
import { replicaModuleUrl } from '../replica-module-url';
import { modelFor, optimizerGroups } from '../run-model';
import { replicaCount, wasmThreadCount } from './parallelism';
import { loopOptions, recordedConfig, runConfig, runDataDir, runTraining } from './training-run';

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
  /** Detection: a classifier checkpoint the backbone starts from. */
  backboneCheckpoint?: string;
  /** Detection: frozen backbone batch norm. */
  frozenBn?: boolean;
  /** Detection: GroupNorm groups in the heads. */
  headGroupNorm?: number;
  /** Data-parallel replicas (worker threads); default 1. */
  replicas?: number;
  /** XNNPACK threads on wasm; default one per core with one replica, else 1. */
  wasmThreads?: number;
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
  const config = runConfig<RunConfig>(out, opts.resume, () => configFromOptions(opts));
  const resumed = opts.resume && existsSync(join(out, 'config.json')) ? config : null;
  const replicas = replicaCount(opts.replicas, resumed);
  const backend = await selectBackend(opts.backend ?? 'auto', {
    wasmThreads: wasmThreadCount(opts.wasmThreads, replicas),
  });
  console.error(`backend: ${backend.backend} (${backend.provider}): ${backend.reason}`);
  if (replicas > 1) console.error(`replicas: ${replicas} (data-parallel over worker threads, one per core)`);
  const dataDir = runDataDir(opts.data, config);
  const data = await openRunData(config, dataDir);
  console.error(data.describe);
  const model = modelFor(config);
  const replicaArgs: ReplicaArgs = { kind: 'classification', config };
  return runTraining(
    (stop) =>
      trainClassifier({
        model,
        train: data.train,
        test: data.test,
        epochs: config.epochs,
        groups: optimizerGroups(model, config),
        schedule: multiStepSchedule(config.milestones),
        runDir: out,
        config: recordedConfig(config, { dataDir, backend: backend.backend, replicas }),
        replicas: { count: replicas, module: replicaModuleUrl(), args: replicaArgs },
        ...loopOptions(opts, stop),
      }),
    (last) => `top-1 error ${last.top1Err.toFixed(2)}%, top-5 error ${last.top5Err.toFixed(2)}%`,
    out,
  );
}
