import '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsymmetricDense } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageBatch } from './batch-source';
import { crossEntropy } from './classification-metrics';
import { warmupMultiStepSchedule } from './lr-schedule';
import type { TrainingTask } from './task';
import { quadrantSource, tinyModel } from './testing/tiny-setup';
import { DivergenceError, type StepContext, type TrainOptions, train } from './train';

/** A detector-like model: a nested body (its own tfjs model) and a head outside it. */
function nestedModel(bodyRule: string, seed: number): tfl.LayersModel {
  const body = tinyModel(bodyRule, seed);
  const input = tfl.input({ shape: [8, 8, 1] });
  const features = body.apply(input) as tfl.SymbolicTensor;
  const out = new AsymmetricDense({ name: 'head', units: 4, rule: 'bp', seed: seed + 10 }).apply(features);
  return tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor, name: 'detector' });
}

/** A task with two named loss parts, as a detector has (classification + box regression). */
const twoPartTask: TrainingTask<ImageBatch> = {
  batchSize: (b) => b.labels.length,
  trainingStep(model, b) {
    const logits = model.apply(tf.tensor4d(b.images, b.shape), { training: true }) as tf.Tensor2D;
    const ce = crossEntropy(logits, tf.tensor1d(b.labels, 'int32'));
    const reg = tf.mul(0.01, tf.mean(tf.square(logits))) as tf.Scalar;
    return { loss: tf.add(ce, reg) as tf.Scalar, ce, reg };
  },
  async evaluate(model, source) {
    let sum = 0;
    let n = 0;
    for await (const b of source.epoch(0)) {
      const ce = tf.tidy(() =>
        crossEntropy(
          model.apply(tf.tensor4d(b.images, b.shape)) as tf.Tensor2D,
          tf.tensor1d(b.labels, 'int32'),
        ),
      );
      sum += (await ce.data())[0] * b.labels.length;
      n += b.labels.length;
      ce.dispose();
    }
    return { testCe: sum / n };
  },
  describeMetrics: (m) => `test ce ${m.testCe.toFixed(4)}`,
};

const trainSet = quadrantSource(64, 16, 1); // 4 steps an epoch
const testSet = quadrantSource(32, 32, 2);
const schedule = warmupMultiStepSchedule([2], 6, 1 / 3);

/** Two groups: the nested body (claimed by its model's name, which tfjs numbers) and the rest. */
function groups(model: tfl.LayersModel) {
  const body = model.layers.find((l) => l.name.startsWith('model'))!.name;
  return [
    { name: 'body', layers: [body], lr: 0.05, momentum: 0.9, weightDecay: 1e-4 },
    { name: 'head', lr: 0.1, momentum: 0.9 },
  ];
}

function options(
  model: tfl.LayersModel,
  runDir: string,
  extra: Partial<TrainOptions<ImageBatch>> = {},
): TrainOptions<ImageBatch> {
  return {
    model,
    task: twoPartTask,
    train: trainSet,
    test: testSet,
    epochs: 3,
    groups: groups(model),
    schedule,
    runDir,
    config: { test: 'train' },
    progress: 'none',
    logEvery: 1,
    ...extra,
  };
}

const weights = (m: tfl.LayersModel) => m.weights.map((w) => Array.from(w.read().dataSync()));
const rows = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('train (the generic loop)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('logs named loss parts, reads the schedule every step, and calls the hook after each optimizer step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'train-'));
    const model = nestedModel('ss', 1);
    const calls: Omit<StepContext, 'model' | 'grads' | 'weightNames'>[] = [];
    let gradCount = 0;
    const res = await train(
      options(model, dir, {
        afterStep: (ctx) => {
          calls.push({ epoch: ctx.epoch, globalStep: ctx.globalStep, learningRates: ctx.learningRates });
          gradCount = Object.keys(ctx.grads).length;
          for (const g of Object.values(ctx.grads)) expect(g.isDisposed).toBe(false);
          expect([...ctx.weightNames.values()]).toContain('conv2/kernel'); // a weight of the nested body
        },
      }),
    );
    expect(res.status).toBe('completed');
    // Every trainable weight, the nested body's included, was optimised: 3 conv/fc kernels + fc bias + head.
    expect(gradCount).toBe(model.trainableWeights.length);
    expect(calls.map((c) => c.globalStep)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Warm-up from lr/3 over 6 steps, read at every step, then x0.1 from epoch 2 (0-based) on.
    calls.forEach((c, i) => {
      const factor = (i < 6 ? 1 / 3 + (2 / 3) * (i / 6) : 1) * (c.epoch >= 2 ? 0.1 : 1);
      expect(c.learningRates.body).toBeCloseTo(0.05 * factor, 12);
      expect(c.learningRates.head).toBeCloseTo(0.1 * factor, 12);
    });
    const steps = rows(dir).filter((r) => r.type === 'step');
    expect(steps[0].lr).toBeCloseTo(0.05 / 3, 12);
    for (const s of steps) expect(s.loss).toBeCloseTo(s.ce + s.reg, 5);
    for (const e of res.history) {
      expect(e.trainLoss).toBeCloseTo(e.train_ce + e.train_reg, 5);
      expect(e.testCe).toBeGreaterThan(0);
    }
    expect(res.history[2].train_ce).toBeLessThan(res.history[0].train_ce);
    expect(res.history[2].numTensors).toBe(res.history[1].numTensors);
    const header = readFileSync(join(dir, 'epochs.csv'), 'utf8').split('\n')[0];
    expect(header.split(',')).toEqual(expect.arrayContaining(['train_ce', 'train_reg', 'testCe']));
  });

  it('stopped mid-epoch and resumed, a nested model with per-batch feedback (brsf) equals the straight run', async () => {
    const straight = nestedModel('brsf', 4);
    await train(options(straight, mkdtempSync(join(tmpdir(), 'train-'))));

    const dir = mkdtempSync(join(tmpdir(), 'train-'));
    const stop = { requested: false };
    const first = nestedModel('brsf', 4);
    const stopAt = (ctx: StepContext) => {
      if (ctx.globalStep === 6) stop.requested = true; // epoch 2, step 2, inside the warm-up
    };
    const res = await train(options(first, dir, { stop, afterStep: stopAt }));
    expect(res.status).toBe('stopped');
    const resumed = nestedModel('brsf', 4);
    await train(options(resumed, dir, { resume: true }));
    const resume = rows(dir).find((r) => r.type === 'resume');
    expect([resume.epoch, resume.batch]).toEqual([1, 2]);
    expect(weights(resumed)).toEqual(weights(straight));
  });

  it('refuses groups that name no layer or claim one twice, and models with two weights of one name', async () => {
    const model = nestedModel('bp', 1);
    const dir = () => mkdtempSync(join(tmpdir(), 'train-'));
    await expect(
      train(options(model, dir(), { groups: [{ name: 'x', layers: ['nope'], lr: 0.1 }] })),
    ).rejects.toThrow("parameter group 'x': the model has no layer or nested model named 'nope'");
    await expect(
      train(
        options(model, dir(), {
          groups: [
            { name: 'a', layers: ['head'], lr: 0.1 },
            { name: 'b', layers: ['head'], lr: 0.1 },
          ],
        }),
      ),
    ).rejects.toThrow("layer 'head' is in two parameter groups: 'a' and 'b'");
    // Two bodies built alike have equal layer names: their checkpoint entries would collide.
    const input = tfl.input({ shape: [8, 8, 1] });
    const twice = tfl.model({
      inputs: input,
      outputs: tfl.layers
        .add()
        .apply([
          tinyModel('bp', 1).apply(input) as tfl.SymbolicTensor,
          tinyModel('bp', 2).apply(input) as tfl.SymbolicTensor,
        ]) as tfl.SymbolicTensor,
    });
    await expect(train(options(twice, dir(), { groups: [{ name: 'all', lr: 0.1 }] }))).rejects.toThrow(
      "the model has two weights named 'conv/kernel'",
    );
  });

  it('reading the losses every 5 steps, as on GPU backends, trains exactly as reading every step (kp and wm)', async () => {
    for (const rule of ['kp', 'wm']) {
      const every = nestedModel(rule, 5);
      const everyDir = mkdtempSync(join(tmpdir(), 'train-'));
      const a = await train(options(every, everyDir, { lossReadEvery: 1 }));
      const deferred = nestedModel(rule, 5);
      const deferredDir = mkdtempSync(join(tmpdir(), 'train-'));
      const b = await train(options(deferred, deferredDir, { lossReadEvery: 5 }));
      // Every weight, the feedback state (B, KP's momentum) included, bit for bit.
      expect(weights(deferred)).toEqual(weights(every));
      const strip = (h: typeof a.history) =>
        h.map(({ seconds, imagesPerSec, numTensors, rssMB, ...rest }) => rest);
      expect(strip(b.history)).toEqual(strip(a.history));
      const losses = (dir: string) =>
        rows(dir)
          .filter((r) => r.type === 'step')
          .map((r) => [r.globalStep, r.step, r.lr, r.loss, r.ce, r.reg]);
      expect(losses(deferredDir)).toEqual(losses(everyDir));
      expect(losses(deferredDir)).toHaveLength(12);
    }
  });

  it('with deferred reads a non-finite loss skips that step and every later one on the device', async () => {
    // Reference: the weights after 5 good steps (a run stopped there).
    const stop = { requested: false };
    const good = nestedModel('kp', 6);
    await train(
      options(good, mkdtempSync(join(tmpdir(), 'train-')), {
        stop,
        afterStep: (ctx) => {
          if (ctx.globalStep === 5) stop.requested = true;
        },
      }),
    );
    let calls = 0;
    const poisoned: TrainingTask<ImageBatch> = {
      ...twoPartTask,
      trainingStep(model, b) {
        calls++;
        const out = twoPartTask.trainingStep(model, b);
        // Step 6 diverges; steps 7 and 8 are finite again but come after it in the same read window.
        return calls === 6 ? { ...out, loss: tf.mul(out.loss, Number.NaN) as tf.Scalar } : out;
      },
    };
    const model = nestedModel('kp', 6);
    const before = tf.memory().numTensors;
    const run = train(
      options(model, mkdtempSync(join(tmpdir(), 'train-')), { task: poisoned, lossReadEvery: 4 }),
    );
    await expect(run).rejects.toThrow(DivergenceError);
    await expect(run).rejects.toThrow(/loss is NaN at epoch 2, step 2\. The weights were not updated/);
    expect(calls).toBe(8); // the read came after step 8
    const learned = (m: tfl.LayersModel) =>
      m.weights.filter((w) => !w.name.includes('moving')).map((w) => Array.from(w.read().dataSync()));
    expect(learned(model)).toEqual(learned(good));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a loss read interval that is not a whole number of steps', async () => {
    const model = nestedModel('bp', 1);
    for (const bad of [0, 2.5]) {
      await expect(
        train(options(model, mkdtempSync(join(tmpdir(), 'train-')), { lossReadEvery: bad })),
      ).rejects.toThrow(`lossReadEvery must be a whole number of steps >= 1, got ${bad}`);
    }
  });
});
