import '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BatchSource } from './batch-source';
import { multiStepSchedule } from './lr-schedule';
import { quadrantSource, tinyModel } from './testing/tiny-setup';
import { DivergenceError } from './train';
import { type TrainClassifierOptions, trainClassifier } from './train-classifier';

const train = quadrantSource(96, 16, 1);
const test = quadrantSource(64, 32, 2);

function options(
  model: LayersModel,
  runDir: string,
  extra: Partial<TrainClassifierOptions> = {},
): TrainClassifierOptions {
  return {
    model,
    train,
    test,
    epochs: 2,
    groups: [
      { name: 'last', layers: ['fc'], lr: 0.05, weightDecay: 1e-4 },
      { name: 'hidden', lr: 0.05, weightDecay: 1e-4 },
    ],
    schedule: multiStepSchedule([1]),
    runDir,
    config: { test: true },
    progress: 'none',
    alignmentEvery: 3,
    logEvery: 2,
    ...extra,
  };
}

const weights = (m: LayersModel) => m.weights.map((w) => Array.from(w.read().dataSync()));

/** The rows of a run's `metrics.jsonl`. */
const metricRows = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('trainClassifier', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('learns, logs every epoch with memory figures, and writes a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const model = tinyModel('ss');
    const res = await trainClassifier(options(model, dir, { epochs: 3 }));
    expect(res.status).toBe('completed');
    expect(res.history).toHaveLength(3);
    expect(res.history[2].top1Err).toBeLessThan(res.history[0].top1Err + 1e-9);
    expect(res.history[2].top1Err).toBeLessThan(30);
    expect(res.history[1].lr).toBeCloseTo(0.005, 9);
    // Memory does not grow from epoch to epoch.
    expect(res.history[2].numTensors).toBe(res.history[1].numTensors);
    const lines = metricRows(dir);
    expect(lines.filter((l) => l.type === 'epoch')).toHaveLength(3);
    const align = lines.filter((l) => l.type === 'alignment');
    expect(align.length).toBeGreaterThan(0);
    // The first layer's dx (towards the images) is never computed, so it has no entry.
    expect(align[0].layers.map((l: { layer: string }) => l.layer)).toEqual(['fc', 'conv2']);
    // ss on the conv layer: sign(W) * s is within 90 degrees of W; bp on the fc layer: exactly aligned.
    const fc = align[0].layers.find((l: { layer: string }) => l.layer === 'fc');
    expect(fc.feedbackAngle).toBeCloseTo(0, 3);
    const conv = align[0].layers.find((l: { layer: string }) => l.layer === 'conv2');
    expect(conv.feedbackAngle).toBeGreaterThan(0);
    expect(conv.feedbackAngle).toBeLessThan(60);
    expect(readFileSync(join(dir, 'epochs.csv'), 'utf8').split('\n')[0]).toContain('top1Err');
    expect(existsSync(join(dir, 'last.ckpt'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ test: true });
  });

  for (const rule of ['fa', 'brsf']) {
    it(`'${rule}': 1 epoch + resume + 1 epoch equals 2 epochs straight, bit for bit`, async () => {
      const straight = tinyModel(rule, 5);
      await trainClassifier(options(straight, mkdtempSync(join(tmpdir(), 'run-'))));
      const dir = mkdtempSync(join(tmpdir(), 'run-'));
      const first = await trainClassifier(options(tinyModel(rule, 5), dir, { epochLimit: 1 }));
      expect(first.status).toBe('epoch-limit');
      // A fresh process rebuilds the model from the run's config. Weights and fa feedback come from the
      // checkpoint, so even another init seed must not matter; brsf's per-batch draws hang off the layer seed.
      const resumed = tinyModel(rule, rule === 'brsf' ? 5 : 99);
      await trainClassifier(options(resumed, dir, { resume: true }));
      expect(weights(resumed)).toEqual(weights(straight));
    });
  }

  it('a stop request mid-epoch checkpoints the position; resuming reproduces the straight run', async () => {
    const straight = tinyModel('ss', 7);
    await trainClassifier(options(straight, mkdtempSync(join(tmpdir(), 'run-'))));
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const stop = { requested: false };
    let seen = 0;
    const stopping: BatchSource = {
      batchesPerEpoch: train.batchesPerEpoch,
      *epoch(e, start) {
        for (const b of train.epoch(e, start) as Iterable<never>) {
          if (++seen === 8) stop.requested = true; // during epoch 2, step 2
          yield b;
        }
      },
    };
    const res = await trainClassifier(options(tinyModel('ss', 7), dir, { train: stopping, stop }));
    expect(res.status).toBe('stopped');
    const resumed = tinyModel('ss', 7);
    await trainClassifier(options(resumed, dir, { resume: true }));
    expect(weights(resumed)).toEqual(weights(straight));
  });

  it('periodic checkpoints: a crash mid-epoch resumes from the last one and reproduces the straight run', async () => {
    const straight = tinyModel('fa', 3);
    await trainClassifier(options(straight, mkdtempSync(join(tmpdir(), 'run-'))));
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    let seen = 0;
    const crashing: BatchSource = {
      batchesPerEpoch: train.batchesPerEpoch,
      *epoch(e, start) {
        for (const b of train.epoch(e, start) as Iterable<never>) {
          if (++seen === 9) throw new Error('simulated crash'); // epoch 2, before its step 3
          yield b;
        }
      },
    };
    // Any positive interval has passed after a step, so this checkpoints after every step.
    await expect(
      trainClassifier(options(tinyModel('fa', 3), dir, { train: crashing, checkpointMinutes: 1e-9 })),
    ).rejects.toThrow('simulated crash');
    const events = metricRows(dir).filter((l) => l.type === 'checkpoint');
    // Mid-epoch only (steps 1-5 of epoch 1, 1-2 of epoch 2); the end of an epoch has its own checkpoint.
    expect(events.map((e) => [e.epoch, e.batch])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [0, 4],
      [0, 5],
      [1, 1],
      [1, 2],
    ]);
    const resumed = tinyModel('fa', 3);
    await trainClassifier(options(resumed, dir, { resume: true }));
    const resume = metricRows(dir).find((l) => l.type === 'resume');
    expect([resume.epoch, resume.batch]).toEqual([1, 2]);
    expect(weights(resumed)).toEqual(weights(straight));
    for (const bad of [0, -1, Number.NaN]) {
      await expect(
        trainClassifier(options(resumed, mkdtempSync(join(tmpdir(), 'run-')), { checkpointMinutes: bad })),
      ).rejects.toThrow(`checkpointMinutes must be a positive number of minutes, got ${bad}`);
    }
  });

  it('frees everything but the model however the run ends: epoch limit, stop, divergence', async () => {
    const model = tinyModel('bp', 9);
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const held = tf.memory().numTensors;
    await trainClassifier(options(model, dir, { epochLimit: 1 }));
    expect(tf.memory().numTensors).toBe(held);
    const stop = { requested: true };
    const stopped = await trainClassifier(options(model, dir, { resume: true, stop }));
    expect(stopped.status).toBe('stopped');
    expect(tf.memory().numTensors).toBe(held);
    const poisoned: BatchSource = {
      batchesPerEpoch: train.batchesPerEpoch,
      *epoch(e, start) {
        for (const b of train.epoch(e, start) as Iterable<{ images: Float32Array }>) {
          b.images[0] = Number.NaN;
          yield b as never;
        }
      },
    };
    await expect(trainClassifier(options(model, dir, { resume: true, train: poisoned }))).rejects.toThrow(
      DivergenceError,
    );
    expect(tf.memory().numTensors).toBe(held);
  });

  it('refuses to overwrite a run without --resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    await trainClassifier(options(tinyModel('bp'), dir, { epochLimit: 1 }));
    await expect(trainClassifier(options(tinyModel('bp'), dir))).rejects.toThrow(
      /already holds a checkpoint.*--resume/,
    );
  });

  it('a NaN loss stops the run and keeps the last good checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    await trainClassifier(options(tinyModel('bp'), dir, { epochLimit: 1 }));
    const good = readFileSync(join(dir, 'last.ckpt'));
    const poisoned: BatchSource = {
      batchesPerEpoch: train.batchesPerEpoch,
      *epoch(e, start) {
        for (const b of train.epoch(e, start) as Iterable<{ images: Float32Array }>) {
          b.images[0] = Number.NaN;
          yield b as never;
        }
      },
    };
    await expect(
      trainClassifier(options(tinyModel('bp'), dir, { resume: true, train: poisoned })),
    ).rejects.toThrow(DivergenceError);
    await expect(
      trainClassifier(options(tinyModel('bp'), dir, { resume: true, train: poisoned })),
    ).rejects.toThrow(
      new RegExp(`loss is NaN at epoch 2, step 1.*last good checkpoint is ${join(dir, 'last.ckpt')}`),
    );
    expect(readFileSync(join(dir, 'last.ckpt')).equals(good)).toBe(true);
  });
});
