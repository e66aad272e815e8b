// A replica module for the data-parallel tests: the tiny nets of the trainer tests, with or without batch norm,
// and a task that can fail on purpose in one replica.
import '@tensorflow/tfjs';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageBatch } from '../batch-source';
import { classificationTask } from '../classification-task';
import type { ReplicaInfo, ReplicaSetup } from '../data-parallel/replica-options';
import type { TrainingTask } from '../task';
import { tinyModel } from './tiny-setup';

/** What the tests pass as `replicas.args`. */
export interface TestReplicaArgs {
  /** `plain`: tinyModel; `bn`: a conv, batch norm, conv, dense net. */
  net: 'plain' | 'bn';
  rule: string;
  seed: number;
  /** Replica `replica`'s `step`-th training step (1-based) throws, or, with `exit`, ends its thread, or hangs. */
  failAt?: { replica: number; step: number; exit?: boolean; hang?: boolean };
}

/** The net `args` describes. */
export function testNet(args: TestReplicaArgs): tfl.LayersModel {
  return tinyModel(args.rule, args.seed, { batchNorm: args.net === 'bn' });
}

/** The classification task, failing as `args.failAt` says in replica `replica`. */
export function testTask(args: TestReplicaArgs, replica: number): TrainingTask<ImageBatch> {
  const fail = args.failAt?.replica === replica ? args.failAt : undefined;
  if (!fail) return classificationTask;
  let steps = 0;
  return {
    ...classificationTask,
    trainingStep(model, batch) {
      if (++steps === fail.step) {
        if (fail.exit) process.exit(7);
        // A busy loop: the thread never answers and never yields, as a replica stuck in a kernel would.
        if (fail.hang) for (;;);
        throw new Error(`injected failure at step ${steps}`);
      }
      return classificationTask.trainingStep(model, batch);
    },
  };
}

export function createReplica(args: unknown, info: ReplicaInfo): ReplicaSetup<ImageBatch> {
  const a = args as TestReplicaArgs;
  return { model: testNet(a), task: testTask(a, info.replica) };
}
