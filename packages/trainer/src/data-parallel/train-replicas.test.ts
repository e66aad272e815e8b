import '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageBatch } from '../batch-source';
import { readCheckpoint } from '../checkpoint';
import { classificationTask } from '../classification-task';
import { constantSchedule } from '../lr-schedule';
import { type TestReplicaArgs, testNet } from '../testing/replica-module';
import { worstWeightError } from '../testing/replica-pool-checks';
import { quadrantSource } from '../testing/tiny-setup';
import { type StepContext, type TrainOptions, train } from '../train';
import { ReplicaError } from './replica-error';

const MODULE = new URL('../testing/replica-module.ts', import.meta.url);
const trainSet = quadrantSource(150, 15, 1); // 10 steps an epoch, shares of 8 and 7
const testSet = quadrantSource(32, 32, 2);

function options(
  args: TestReplicaArgs,
  replicas: number,
  extra: Partial<TrainOptions<ImageBatch>> = {},
): TrainOptions<ImageBatch> & { model: tfl.LayersModel } {
  return {
    model: testNet(args),
    task: classificationTask,
    train: trainSet,
    test: testSet,
    epochs: 1,
    groups: [{ name: 'all', lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }],
    schedule: constantSchedule(),
    runDir: mkdtempSync(join(tmpdir(), 'replicas-')),
    config: { replicas },
    progress: 'none',
    logEvery: 1,
    replicas: { count: replicas, module: MODULE, args },
    ...extra,
  };
}

const stopAt = (step: number, stop: { requested: boolean }) => (ctx: StepContext) => {
  if (ctx.globalStep === step) stop.requested = true;
};

describe('train with replicas (data-parallel over worker threads)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('ten steps of Kolen-Pollack on 2 replicas equal one process on the same batches (W and B to 1e-4)', async () => {
    const args: TestReplicaArgs = { net: 'plain', rule: 'kp', seed: 3 };
    const one = options(args, 1);
    const two = options(args, 2);
    const a = await train(one);
    const b = await train(two);
    const error = worstWeightError(two.model, one.model);
    console.log(
      `train, ten steps kp, 2 replicas against 1: worst relative weight error ${error.toExponential(2)}`,
    );
    expect(error).toBeLessThan(1e-4);
    expect(b.history[0].trainLoss).toBeCloseTo(a.history[0].trainLoss, 5);
    const events = readFileSync(join(two.runDir, 'metrics.jsonl'), 'utf8');
    expect(events).toContain('{"type":"replicas"');
  });

  it('a replica that throws at step 3 ends the run with its name and cause and a checkpoint of step 2, which resumes with 1 replica', async () => {
    const args: TestReplicaArgs = { net: 'plain', rule: 'brsf', seed: 4, failAt: { replica: 1, step: 3 } };
    const failing = options(args, 2);
    const run = train(failing);
    await expect(run).rejects.toThrow(
      /^data-parallel training stopped at epoch 1, step 3: replica 1 of 2 failed in its training step: injected failure at step 3\. .*last\.ckpt holds the state before this step/,
    );
    await expect(run).rejects.toBeInstanceOf(ReplicaError);
    const ckpt = readCheckpoint<{ batch: number; globalStep: number }>(join(failing.runDir, 'last.ckpt'));
    expect([ckpt.meta.batch, ckpt.meta.globalStep]).toEqual([2, 2]);
    tf.dispose(Object.values(ckpt.tensors));

    // The straight run on one process; the failed run resumed on one process from its checkpoint equals it.
    const straight = options(args, 1);
    await train(straight);
    const resumed = options(args, 1, { runDir: failing.runDir, resume: true });
    const res = await train(resumed);
    expect(res.status).toBe('completed');
    const error = worstWeightError(resumed.model, straight.model);
    console.log(`crash at step 3, resumed on 1 replica against a straight run: ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-4);
  });

  it('refuses a replica count that is not an integer >= 1, a missing module, and a task without split', async () => {
    const args: TestReplicaArgs = { net: 'plain', rule: 'bp', seed: 1 };
    await expect(train(options(args, 0))).rejects.toThrow('replicas.count must be an integer >= 1, got 0');
    await expect(train(options(args, 1.5))).rejects.toThrow(
      'replicas.count must be an integer >= 1, got 1.5',
    );
    await expect(train(options(args, 2, { replicas: { count: 2 } }))).rejects.toThrow(
      'data-parallel training needs replicas.module',
    );
    const { split: _split, ...noSplit } = classificationTask;
    await expect(train(options(args, 2, { task: noSplit }))).rejects.toThrow(
      "data-parallel training needs the task's split(batch, parts); this task has none",
    );
  });

  it('stopped mid-epoch and resumed with 2 replicas, a batch norm net equals the uninterrupted 2-replica run', async () => {
    const args: TestReplicaArgs = { net: 'bn', rule: 'ss', seed: 6 };
    const straight = options(args, 2);
    await train(straight);
    const stop = { requested: false };
    const first = options(args, 2, { stop, afterStep: stopAt(4, stop) });
    expect((await train(first)).status).toBe('stopped');
    const resumed = options(args, 2, { runDir: first.runDir, resume: true });
    await train(resumed);
    // Replica 0's batch norm statistics are checkpointed and restored, so they match too.
    expect(worstWeightError(resumed.model, straight.model)).toBeLessThan(1e-6);
  });
});
