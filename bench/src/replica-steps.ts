import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BatchSource,
  classificationTask,
  constantSchedule,
  type ImageBatch,
  train,
} from '@bioprop/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchReplicaArgs } from './bench-replica';
import type { NetworkSpec } from './networks';
import type { TimedRun, Timing } from './timed-steps';
import { benchClassifier } from './training-step';

/** The fixed random batch of every measurement, as a loader would yield it. */
function fixedBatch(spec: NetworkSpec): ImageBatch {
  const x = tf.randomNormal([spec.batch, spec.size, spec.size, spec.inputChannels], 0, 1, 'float32', 1);
  const images = x.dataSync() as Float32Array;
  x.dispose();
  return {
    images,
    labels: Int32Array.from({ length: spec.batch }, (_, i) => i % spec.classes),
    shape: [spec.batch, spec.size, spec.size, spec.inputChannels],
  };
}

/**
 * Training throughput on `replicas` data-parallel replicas: the trainer's own loop (`train` with `replicas`) on
 * the fixed batch, so the figure includes everything a run pays (splitting, the workers' forward and backward
 * passes, combining the gradients, the optimizer step and publishing the state). Steps are timed as
 * {@link timedSteps} times them, from the end of the warm-up to the end of the last timed step (the loop's hook
 * after each optimizer step); the evaluation and checkpoint after the epoch are not timed. Classifiers only.
 */
export async function timedReplicaSteps(
  spec: NetworkSpec,
  rule: string,
  replicas: number,
  timing: Timing,
): Promise<TimedRun> {
  if (spec.kind !== 'classifier')
    throw new Error(`replicas: ${spec.name} is not a classifier (not measured)`);
  const batch = fixedBatch(spec);
  let done = 0;
  let t0 = 0;
  let seconds = 0;
  const now = () => performance.now() / 1000;
  const finished = () =>
    done >= timing.warmupSteps + timing.maxSteps ||
    (done - timing.warmupSteps >= timing.minSteps && now() - t0 >= timing.minSeconds);
  const source: BatchSource<ImageBatch> = {
    batchesPerEpoch: timing.warmupSteps + timing.maxSteps,
    *epoch() {
      while (!(done > timing.warmupSteps && finished())) yield batch;
    },
  };
  const runDir = mkdtempSync(join(tmpdir(), 'bench-replicas-'));
  const model = benchClassifier(spec, rule);
  if (timing.warmupSteps === 0) t0 = now();
  try {
    const res = await train({
      model,
      task: classificationTask,
      train: source,
      // The loop evaluates after the epoch (untimed): the batch once.
      test: {
        batchesPerEpoch: 1,
        *epoch() {
          yield batch;
        },
      },
      epochs: 1,
      groups: [{ name: 'all', lr: 0.01, momentum: 0.9, weightDecay: 1e-4 }],
      schedule: constantSchedule(),
      runDir,
      config: {},
      progress: 'none',
      alignmentEvery: 0,
      logEvery: 1_000_000,
      replicas: {
        count: replicas,
        module: new URL('./bench-replica.ts', import.meta.url),
        args: { spec, rule } satisfies BenchReplicaArgs,
      },
      afterStep: () => {
        done++;
        if (done === timing.warmupSteps) t0 = now();
        if (done > timing.warmupSteps) seconds = now() - t0;
      },
    });
    return {
      steps: done - timing.warmupSteps,
      seconds,
      lossFinite: Number.isFinite(res.history[0]?.trainLoss),
    };
  } finally {
    model.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
}
