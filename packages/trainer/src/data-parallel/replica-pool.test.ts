import '@tensorflow/tfjs';
import { SGD } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageBatch } from '../batch-source';
import { classificationTask } from '../classification-task';
import { feedbackSteps } from '../model-state';
import { type TestReplicaArgs, testNet } from '../testing/replica-module';
import { quadrantSource } from '../testing/tiny-setup';
import { ReplicaError } from './replica-error';
import { ReplicaPool, type StepGradients } from './replica-pool';

const MODULE = new URL('../testing/replica-module.ts', import.meta.url);

const trainables = (m: tfl.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);

/** The loop's forward pass: the loss and gradients of a batch in this thread. */
function forward(model: tfl.LayersModel, batch: ImageBatch): StepGradients {
  return tf.tidy(() => {
    let losses: Record<string, tf.Scalar> = {};
    const { grads } = tf.variableGrads(() => {
      losses = classificationTask.trainingStep(model, batch);
      return losses.loss;
    }, trainables(model));
    return { losses, grads };
  });
}

function startPool(model: tfl.LayersModel, args: TestReplicaArgs): Promise<ReplicaPool<ImageBatch>> {
  return ReplicaPool.start({
    model,
    task: classificationTask,
    trainables: trainables(model),
    replicas: { count: 2, module: MODULE, args },
  });
}

/** ||a - b|| / ||b|| over whole tensors. */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i] - y[i]) ** 2;
    den += y[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** The worst relative error of `actual` against `expected`, gradient by gradient (matched by position). */
function worstGradError(actual: tf.NamedTensorMap, expected: tf.NamedTensorMap): number {
  const a = Object.values(actual);
  const e = Object.values(expected);
  expect(a.length).toBe(e.length);
  return Math.max(...a.map((t, i) => relativeError(t, e[i])));
}

/** The batches of a test source's first epoch (quadrantSource yields them synchronously). */
const batchesOf = (count: number, batchSize: number, seed: number) => [
  ...(quadrantSource(count, batchSize, seed).epoch(0) as Iterable<ImageBatch>),
];
const oddBatch = () => batchesOf(15, 15, 3)[0]; // shares of 8 and 7

describe('ReplicaPool (data-parallel replicas in worker threads)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

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
      const error = Math.max(
        ...model.weights.map((w, k) => relativeError(w.read(), reference.weights[k].read())),
      );
      console.log(
        `ten steps, 2 replicas against one process: worst relative weight error ${error.toExponential(2)}`,
      );
      expect(error).toBeLessThan(1e-4);
      sgd.dispose();
      refSgd.dispose();
    });
  });

  it('with batch norm: 2 replicas equal one process that normalises each share separately', async () => {
    const args: TestReplicaArgs = { net: 'bn', rule: 'ss', seed: 2 };
    const model = testNet(args);
    const pool = await startPool(model, args);
    try {
      const batch = oddBatch();
      const shares = classificationTask.split!(batch, 2);
      // The reference: each share through its own copy of the model, gradients weighted by share size.
      const [refA, refB] = [testNet(args), testNet(args)];
      const a = forward(refA, shares[0]);
      const b = forward(refB, shares[1]);
      const expected = Object.fromEntries(
        Object.keys(a.grads).map((k, i) => [
          k,
          tf.add(tf.mul(a.grads[k], 8 / 15), tf.mul(Object.values(b.grads)[i], 7 / 15)),
        ]),
      );
      const whole = forward(testNet(args), batch); // one process normalising the whole batch: different
      const got = await pool.gradients(batch, (share) => forward(model, share));
      const error = worstGradError(got.grads, expected);
      const wholeError = worstGradError(got.grads, whole.grads);
      console.log(
        `batch norm, 2 replicas against per-share normalisation: ${error.toExponential(2)}; against whole-batch: ${wholeError.toExponential(2)}`,
      );
      expect(error).toBeLessThan(1e-5);
      expect(wholeError).toBeGreaterThan(1e-3);
      const loss = (8 / 15) * a.losses.loss.dataSync()[0] + (7 / 15) * b.losses.loss.dataSync()[0];
      expect(got.losses.loss.dataSync()[0]).toBeCloseTo(loss, 6);
      // The running statistics that survive are replica 0's: those of the first share alone.
      const stats = (m: tfl.LayersModel) => m.getLayer('bn').nonTrainableWeights.map((w) => w.read());
      expect(stats(model).map((t, i) => relativeError(t, stats(refA)[i]))).toEqual([0, 0]);
      expect(relativeError(stats(model)[0], stats(refB)[0])).toBeGreaterThan(1e-3);
    } finally {
      await pool.close();
    }
  });

  it('a replica whose step throws fails the step with its name and cause, and the main model is left as before', async () => {
    const args: TestReplicaArgs = { net: 'plain', rule: 'brsf', seed: 1, failAt: { replica: 1, step: 3 } };
    const model = testNet(args);
    const pool = await startPool(model, args);
    try {
      const batches = batchesOf(64, 16, 1);
      for (const batch of batches.slice(0, 2)) {
        const got = await pool.gradients(batch, (share) => forward(model, share));
        tf.dispose([...Object.values(got.grads), ...Object.values(got.losses)]);
        await pool.publish();
      }
      const steps = feedbackSteps(model);
      const tensors = tf.memory().numTensors;
      const failed = pool.gradients(batches[2], (share) => forward(model, share));
      await expect(failed).rejects.toThrow(
        'replica 1 of 2 failed in its training step: injected failure at step 3',
      );
      await expect(failed).rejects.toBeInstanceOf(ReplicaError);
      expect(feedbackSteps(model)).toEqual(steps);
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      await pool.close();
    }
  });

  it('a replica whose thread exits, or whose module builds another model, is reported, not waited for', async () => {
    const args: TestReplicaArgs = {
      net: 'plain',
      rule: 'bp',
      seed: 1,
      failAt: { replica: 1, step: 1, exit: true },
    };
    const model = testNet(args);
    const pool = await startPool(model, args);
    try {
      const batch = oddBatch();
      await expect(pool.gradients(batch, (share) => forward(model, share))).rejects.toThrow(
        'replica 1 of 2: its worker thread exited (code 7)',
      );
    } finally {
      await pool.close();
    }
    await expect(startPool(model, { net: 'bn', rule: 'bp', seed: 1 })).rejects.toThrow(
      /replica 1 of 2 did not start: the model of createReplica .* is not the main model: it has 8 weights, the main model 4/,
    );
  });
});
