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
import { type StepContext, type TrainOptions, train } from './train';

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
});
