import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationTask } from '../classification-task';
import { feedbackSteps } from '../model-state';
import { type TestReplicaArgs, testNet } from '../testing/replica-module';
import {
  batchesOf,
  checksWithoutBatchNorm,
  forward,
  oddBatch,
  startPool,
  tensorRelativeError,
  worstGradError,
} from '../testing/replica-pool-checks';
import { ReplicaError } from './replica-error';

describe('ReplicaPool (data-parallel replicas in worker threads)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  checksWithoutBatchNorm();

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
      expect(stats(model).map((t, i) => tensorRelativeError(t, stats(refA)[i]))).toEqual([0, 0]);
      expect(tensorRelativeError(stats(model)[0], stats(refB)[0])).toBeGreaterThan(1e-3);
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

  it('a replica that hangs is reported as hung once the wait runs out, and the pool still closes', async () => {
    const args: TestReplicaArgs = {
      net: 'plain',
      rule: 'bp',
      seed: 1,
      failAt: { replica: 1, step: 2, hang: true },
    };
    const model = testNet(args);
    const pool = await startPool(model, args, { hangSeconds: 2 });
    try {
      const batches = batchesOf(32, 16, 1);
      const first = await pool.gradients(batches[0], (share) => forward(model, share));
      tf.dispose([...Object.values(first.grads), ...Object.values(first.losses)]);
      await pool.publish();
      const tensors = tf.memory().numTensors;
      const hung = pool.gradients(batches[1], (share) => forward(model, share));
      await expect(hung).rejects.toThrow(
        /^replica 1 of 2 did not answer within 2 s after replica 0 finished its share of step 2 \(in \d+\.\d s\): hung$/,
      );
      await expect(hung).rejects.toBeInstanceOf(ReplicaError);
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      // terminate() stops the busy loop: a test that hung here would time out.
      await pool.close();
    }
    await expect(startPool(model, args, { hangSeconds: 0 })).rejects.toThrow(
      'replicas.hangSeconds must be a positive number of seconds, got 0',
    );
  });
});
