import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RetinaNet } from '@bioprop/detection';
import {
  type LrSchedule,
  readCheckpoint,
  selectBackend,
  train,
  warmupMultiStepSchedule,
} from '@bioprop/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { replicaCount, wasmThreadCount } from '../commands/parallelism';
import type { TrainCommandOptions } from '../commands/train';
import { loopOptions, recordedConfig, runConfig, runDataDir, runTraining } from '../commands/training-run';
import type { ReplicaArgs } from '../replica';
import { replicaModuleUrl } from '../replica-module-url';
import { openDetectionData } from './detection-data';
import { DETECTION_PRESETS, type DetectionRunConfig } from './detection-presets';
import { detectionTask } from './detection-task';

/** Options of `repro train`; a detection preset reads those that apply to it. */
export type DetectionTrainOptions = TrainCommandOptions;

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
  if (opts.backboneCheckpoint !== undefined) config.backboneCheckpoint = opts.backboneCheckpoint;
  if (opts.frozenBn) config.frozenBackboneBatchNorm = true;
  if (opts.headGroupNorm !== undefined) config.headGroupNorm = opts.headGroupNorm;
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
    frozenBackboneBatchNorm: config.frozenBackboneBatchNorm,
    headGroupNorm: config.headGroupNorm,
    seed: config.seed,
  });
}

/** `repro train` for a detection preset; returns the process exit code. */
export async function trainDetectionCommand(opts: DetectionTrainOptions): Promise<number> {
  const out = opts.out ?? join('runs', opts.preset);
  const config = runConfig<DetectionRunConfig>(out, opts.resume, () => detectionConfig(opts));
  const resumed = opts.resume && existsSync(join(out, 'config.json')) ? config : null;
  const replicas = replicaCount(opts.replicas, resumed);
  const backend = await selectBackend(opts.backend ?? 'auto', {
    wasmThreads: wasmThreadCount(opts.wasmThreads, replicas),
  });
  console.error(`backend: ${backend.backend} (${backend.provider}): ${backend.reason}`);
  if (replicas > 1) console.error(`replicas: ${replicas} (data-parallel over worker threads, one per core)`);
  const dataDir = runDataDir(opts.data, config);
  const data = await openDetectionData(config, dataDir);
  console.error(data.describe);
  const net = detectorFor(config);
  const replicaArgs: ReplicaArgs = { kind: 'detection', config };
  // A resumed run reads its weights from its own checkpoint; the classifier's only start a fresh one.
  if (config.backboneCheckpoint && !(opts.resume && existsSync(join(out, 'last.ckpt')))) {
    const { tensors } = readCheckpoint(config.backboneCheckpoint);
    const n = net.loadBackbone(tensors, config.backboneCheckpoint);
    tf.dispose(Object.values(tensors));
    console.error(`backbone: ${n} weights from ${config.backboneCheckpoint}`);
  }
  const task = detectionTask(net, data.valInstances, {
    scoreThresh: config.scoreThresh,
    nmsThresh: config.nmsThresh,
    detectionsPerImage: config.detectionsPerImage,
    imageIds: data.valImageIds,
  });
  return runTraining(
    (stop) =>
      train({
        model: net.model,
        task,
        train: data.train,
        test: data.val,
        epochs: config.epochs,
        groups: [{ name: 'all', lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay }],
        schedule: detectionSchedule(config),
        runDir: out,
        config: recordedConfig(config, { dataDir, backend: backend.backend, replicas }),
        replicas: { count: replicas, module: replicaModuleUrl(), args: replicaArgs },
        ...loopOptions(opts, stop),
      }),
    (last) => `AP ${last.AP.toFixed(2)}, AP50 ${last.AP50.toFixed(2)}`,
    out,
  );
}
