import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RetinaNet } from '@bioprop/detection';
import {
  type BackendChoice,
  DivergenceError,
  type LrSchedule,
  selectBackend,
  train,
  warmupMultiStepSchedule,
} from '@bioprop/trainer';
import { openDetectionData } from './detection-data';
import { DETECTION_PRESETS, type DetectionRunConfig } from './detection-presets';
import { detectionTask } from './detection-task';

/** Options of `repro train` that a detection preset reads. */
export interface DetectionTrainOptions {
  preset: string;
  data?: string;
  out?: string;
  resume?: boolean;
  backend?: BackendChoice;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  width?: number;
  seed?: number;
  trainLimit?: number;
  testLimit?: number;
  alignmentEvery?: number;
  progress?: 'auto' | 'bar' | 'lines' | 'none';
  epochLimit?: number;
  logEvery?: number;
  checkpointMinutes?: number;
}

/** A detection preset's config with the command line's overrides; the rate follows the batch linearly. */
export function detectionConfig(opts: DetectionTrainOptions): DetectionRunConfig {
  const base = DETECTION_PRESETS[opts.preset];
  if (!base) throw new Error(`unknown detection preset '${opts.preset}'`);
  const config = structuredClone(base.config);
  if (opts.batchSize !== undefined) {
    config.lr = (config.lr * opts.batchSize) / config.batchSize;
    config.batchSize = opts.batchSize;
  }
  if (opts.lr !== undefined) config.lr = opts.lr;
  if (opts.epochs !== undefined) {
    config.epochs = opts.epochs;
    config.milestones = config.milestones.filter((m) => m < opts.epochs!);
  }
  if (opts.width !== undefined) config.width = opts.width;
  if (opts.seed !== undefined) config.seed = opts.seed;
  if (opts.trainLimit !== undefined) config.trainLimit = opts.trainLimit;
  if (opts.testLimit !== undefined) config.testLimit = opts.testLimit;
  return config;
}

/** Warm-up, then x0.1 at the epoch milestones and at the iteration milestones. */
export function detectionSchedule(config: DetectionRunConfig): LrSchedule {
  const byEpoch = warmupMultiStepSchedule(config.milestones, config.warmupIterations, config.warmupFactor);
  const iterations = config.milestoneIterations ?? [];
  return {
    factor: (epoch, step) => byEpoch.factor(epoch, step) * 0.1 ** iterations.filter((m) => step >= m).length,
    describe: () =>
      [
        `warm-up from lr/${Math.round(1 / config.warmupFactor)} over ${config.warmupIterations} iterations`,
        ...(config.milestones.length ? [`x0.1 after epochs ${config.milestones.join(',')}`] : []),
        ...(iterations.length ? [`x0.1 at iterations ${iterations.join(',')}`] : []),
      ].join(', '),
  };
}

/** The detector a config describes. */
export function detectorFor(config: DetectionRunConfig): RetinaNet {
  return new RetinaNet({
    classes: config.classes,
    depth: config.depth,
    width: config.width,
    inputChannels: config.inputChannels,
    fpnChannels: config.fpnChannels,
    extraLevels: config.extraLevels,
    anchorBaseSizes: [0, 1, 2, 3, 4].map((i) => config.anchorBase * 2 ** i),
    rule: config.rule,
    seed: config.seed,
  });
}

/** `repro train` for a detection preset; returns the process exit code. */
export async function trainDetectionCommand(opts: DetectionTrainOptions): Promise<number> {
  const out = opts.out ?? join('runs', opts.preset);
  const configPath = join(out, 'config.json');
  // A resumed run keeps the configuration it started with, so it continues exactly.
  const config: DetectionRunConfig =
    opts.resume && existsSync(configPath)
      ? (JSON.parse(readFileSync(configPath, 'utf8')) as DetectionRunConfig)
      : detectionConfig(opts);
  const backend = await selectBackend(opts.backend ?? 'auto');
  console.error(`backend: ${backend.backend} (${backend.provider}): ${backend.reason}`);
  const data = await openDetectionData(config, opts.data);
  console.error(data.describe);
  const net = detectorFor(config);
  const imageIds = Array.from(data.val.indices, (i) => data.valInstances.images.ids[i]);
  const task = detectionTask(net, data.valInstances, {
    scoreThresh: config.scoreThresh,
    nmsThresh: config.nmsThresh,
    detectionsPerImage: config.detectionsPerImage,
    imageIds,
  });
  const stop = { requested: false };
  const onSigint = () => {
    if (stop.requested) process.exit(130);
    stop.requested = true;
    console.error('\ninterrupt: finishing the step and writing a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const shared = { momentum: config.momentum, weightDecay: config.weightDecay };
    const res = await train({
      model: net.model,
      task,
      train: data.train,
      test: data.val,
      epochs: config.epochs,
      groups: [{ name: 'all', lr: config.lr, ...shared }],
      schedule: detectionSchedule(config),
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
    if (last) console.error(`${res.status}: AP ${last.AP.toFixed(2)}, AP50 ${last.AP50.toFixed(2)} (${out})`);
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
