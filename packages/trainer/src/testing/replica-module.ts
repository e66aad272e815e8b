// A replica module for the data-parallel tests: the tiny nets of the trainer tests, with or without batch norm,
// and a task that can fail on purpose in one replica.
import '@tensorflow/tfjs';
import { AsymmetricConv2D, AsymmetricDense } from '@bioprop/feedback-rules';
import * as tfl from '@tensorflow/tfjs-layers';
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
  /** Replica `replica`'s `step`-th training step (1-based) throws, or, with `exit`, ends its thread. */
  failAt?: { replica: number; step: number; exit?: boolean };
}

/** A tiny conv net with batch norm after its first conv (tfjs-layers' BatchNormalization). */
export function batchNormModel(rule: string, seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  let h = new AsymmetricConv2D({
    name: 'conv',
    filters: 4,
    kernelSize: 3,
    strides: 2,
    pad: 1,
    rule,
    seed,
  }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn', momentum: 0.9 }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
  h = new AsymmetricConv2D({ name: 'conv2', filters: 4, kernelSize: 3, pad: 1, rule, seed: seed + 2 }).apply(
    h,
  ) as tfl.SymbolicTensor;
  h = tfl.layers.flatten().apply(tfl.layers.reLU().apply(h)) as tfl.SymbolicTensor;
  const out = new AsymmetricDense({ name: 'fc', units: 4, rule: 'bp', seed: seed + 1 }).apply(h);
  return tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
}

/** The net `args` describes. */
export function testNet(args: TestReplicaArgs): tfl.LayersModel {
  return args.net === 'bn' ? batchNormModel(args.rule, args.seed) : tinyModel(args.rule, args.seed);
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
