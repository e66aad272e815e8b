// The checks of the replica pool shared by its test files (one per backend): helpers and the tests on a network
// without batch norm.
import { SGD } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageBatch } from '../batch-source';
import { classificationTask } from '../classification-task';
import type { ReplicaOptions } from '../data-parallel/replica-options';
import { ReplicaPool, type StepGradients } from '../data-parallel/replica-pool';
import { feedbackSteps } from '../model-state';
import { relativeError } from './relative-error';
import { type TestReplicaArgs, testNet } from './replica-module';
import { quadrantSource } from './tiny-setup';

const MODULE = new URL('./replica-module.ts', import.meta.url);

export const trainables = (m: tfl.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);

/** The loop's forward pass: the loss and gradients of a batch in this thread. */
export function forward(model: tfl.LayersModel, batch: ImageBatch): StepGradients {
  return tf.tidy(() => {
    let losses: Record<string, tf.Scalar> = {};
    const { grads } = tf.variableGrads(() => {
      losses = classificationTask.trainingStep(model, batch);
      return losses.loss;
    }, trainables(model));
    return { losses, grads };
  });
}

export function startPool(
  model: tfl.LayersModel,
  args: TestReplicaArgs,
  options: Pick<ReplicaOptions, 'hangSeconds'> = {},
): Promise<ReplicaPool<ImageBatch>> {
  return ReplicaPool.start({
    model,
    task: classificationTask,
    trainables: trainables(model),
    replicas: { count: 2, module: MODULE, args, ...options },
  });
}

/** ||a - b|| / ||b|| over whole tensors. */
export function tensorRelativeError(a: tf.Tensor, b: tf.Tensor): number {
  return relativeError(a.dataSync(), b.dataSync());
}

/** The worst relative error between two models' weights (all of them: W, B, batch norm statistics). */
export function worstWeightError(a: tfl.LayersModel, b: tfl.LayersModel): number {
  return Math.max(...a.weights.map((w, i) => tensorRelativeError(w.read(), b.weights[i].read())));
}

/** The worst relative error of `actual` against `expected`, gradient by gradient (matched by position). */
export function worstGradError(actual: tf.NamedTensorMap, expected: tf.NamedTensorMap): number {
  const a = Object.values(actual);
  const e = Object.values(expected);
  expect(a.length).toBe(e.length);
  return Math.max(...a.map((t, i) => tensorRelativeError(t, e[i])));
}

/** The batches of a test source's first epoch (quadrantSource yields them synchronously). */
export const batchesOf = (count: number, batchSize: number, seed: number) => [
  ...(quadrantSource(count, batchSize, seed).epoch(0) as Iterable<ImageBatch>),
];
export const oddBatch = () => batchesOf(15, 15, 3)[0]; // shares of 8 and 7

/** One step and ten SGD steps on 2 replicas against one process, on a network without batch norm. */
export function checksWithoutBatchNorm(): void {
  describe('without batch norm', () => {
    const args: TestReplicaArgs = { net: 'plain', rule: 'brsf', seed: 5 };
    let model: tfl.LayersModel;
    let pool: ReplicaPool<ImageBatch>;
    beforeAll(async () => {
      model = testNet(args);
      pool = await startPool(model, args);
    });
    afterAll(() => pool.close());

    it('one step: 2 replicas give the gradients and loss of one process on the global batch (to 1e-5)', async () => {
      const batch = oddBatch();
      const reference = testNet(args);
      const expected = forward(reference, batch);
      const got = await pool.gradients(batch, (share) => forward(model, share));
      const error = worstGradError(got.grads, expected.grads);
      console.log(
        `one step, 2 replicas against one process: worst relative gradient error ${error.toExponential(2)}`,
      );
      expect(error).toBeLessThan(1e-5);
      expect(got.losses.loss.dataSync()[0]).toBeCloseTo(expected.losses.loss.dataSync()[0], 6);
      // Both advanced the rules' step counters once (brsf draws R from them).
      expect(feedbackSteps(model)).toEqual(feedbackSteps(reference));
      tf.dispose([got, expected] as unknown as tf.Tensor[]);
      tf.dispose([...Object.values(got.grads), ...Object.values(got.losses)]);
      tf.dispose([...Object.values(expected.grads), ...Object.values(expected.losses)]);
      await pool.publish();
    });

    it('ten SGD steps (brsf, momentum, weight decay): the weights equal one process to 1e-4; no tensor leaks', async () => {
      const reference = testNet(args);
      // Start both where the pool's model is now (after the first test), counters included.
      reference.weights.forEach((w, i) => w.write(model.weights[i].read()));
      const steps = feedbackSteps(model);
      for (const [name, n] of Object.entries(steps)) {
        const fb = reference.getLayer(name) as unknown as { feedbackState: { step: number } };
        fb.feedbackState.step = n;
      }
      const settings = { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 };
      const sgd = new SGD([{ name: 'all', params: trainables(model), ...settings }]);
      const refSgd = new SGD([{ name: 'all', params: trainables(reference), ...settings }]);
      let tensorsAfterFirst = 0;
      let i = 0;
      for (const batch of batchesOf(150, 15, 4)) {
        const got = await pool.gradients(batch, (share) => forward(model, share));
        tf.tidy(() => sgd.step(got.grads));
        tf.dispose([...Object.values(got.grads), ...Object.values(got.losses)]);
        await pool.publish();
        const expected = forward(reference, batch);
        tf.tidy(() => refSgd.step(expected.grads));
        tf.dispose([...Object.values(expected.grads), ...Object.values(expected.losses)]);
        if (i++ === 0) tensorsAfterFirst = tf.memory().numTensors;
      }
      expect(i).toBe(10);
      expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
      const error = worstWeightError(model, reference);
      console.log(
        `ten steps, 2 replicas against one process: worst relative weight error ${error.toExponential(2)}`,
      );
      expect(error).toBeLessThan(1e-4);
      sgd.dispose();
      refSgd.dispose();
    });
  });
}
