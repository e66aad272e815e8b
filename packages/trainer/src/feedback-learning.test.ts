import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWeightMirror, type FeedbackRule, registerRule } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { constantSchedule, multiStepSchedule } from './lr-schedule';
import {
  learnedFeedbackNet,
  loadLearnedFeedbackVectors,
  referenceBatches,
  worstSnapshotError,
} from './testing/learned-feedback';
import { quadrantSource, tinyModel } from './testing/tiny-setup';
import type { StepContext } from './train';
import { type TrainClassifierOptions, trainClassifier } from './train-classifier';

const ref = loadLearnedFeedbackVectors();

/**
 * The reference's weight mirror with its fixed noise: the rule's own draw replaced by the noise of the
 * reference for the layer (found by its seed) and the phase. A rule is only an object, so this is the whole change.
 */
function referenceMirror(name: string): FeedbackRule {
  const base = createWeightMirror({ name, ...ref.mirror });
  const layerBySeed: Record<number, string> = { 1: 'conv1', 2: 'conv2', 3: 'fc1' };
  const phase: Record<string, number> = {};
  return {
    ...base,
    mirror: {
      ...base.mirror!,
      noise: (ctx) => {
        const layer = layerBySeed[ctx.seed];
        phase[layer] = (phase[layer] ?? -1) + 1;
        const n = ref.noise[phase[layer]][layer];
        return tf.tensor(n.data, n.shape, 'float32');
      },
    },
  };
}

function referenceOptions(model: tfl.LayersModel, extra: Partial<TrainClassifierOptions> = {}) {
  return {
    model,
    train: referenceBatches(ref),
    test: referenceBatches(ref),
    epochs: 1,
    groups: [{ name: 'all', ...ref.optimizer }],
    schedule: constantSchedule(),
    runDir: mkdtempSync(join(tmpdir(), 'learned-')),
    config: {},
    progress: 'none' as const,
    ...extra,
  };
}

for (const backend of ['cpu', 'wasm']) {
  describe(`the training loop lets rules learn their feedback, against PyTorch float64 (${backend})`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    for (const rule of ['kp', 'wm'] as const) {
      it(`${rule}: W and B after each of three steps within 1e-5`, async () => {
        const name = rule === 'kp' ? 'kp' : `wm-reference-${backend}`;
        if (rule === 'wm') registerRule(referenceMirror(name));
        const model = learnedFeedbackNet(ref, name);
        const errors: number[] = [];
        await trainClassifier(
          referenceOptions(model, {
            afterStep: ({ globalStep }) => {
              const { error, where } = worstSnapshotError(model, ref[rule][globalStep - 1]);
              errors.push(error);
              expect(error, `step ${globalStep}: ${where}`).toBeLessThan(1e-5);
            },
          }),
        );
        expect(errors).toHaveLength(3);
        console.log(
          `${backend} ${rule} through train(): worst relative error per step ${errors.map((e) => e.toExponential(2))}`,
        );
      });
    }
  });
}

const weights = (m: tfl.LayersModel) =>
  Object.fromEntries(m.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));

describe('learned feedback in the loop', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('calls update after every step with the scheduled settings and the mirror phase every N steps', async () => {
    const updates: { lr: number; weightDecay: number; grad: number }[] = [];
    const mirrors: number[] = [];
    let step = 0;
    const rule: FeedbackRule = {
      name: 'loop-probe',
      description: 'records what the loop gives a learning rule',
      state: [{ name: 'feedback', init: (kernel) => tf.clone(kernel) }],
      feedback: ({ state }) => state.feedback,
      update({ kernelGrad, optimizer, assign, state }) {
        updates.push({ lr: optimizer.lr, weightDecay: optimizer.weightDecay, grad: kernelGrad.size });
        assign('feedback', tf.mul(state.feedback, 1));
      },
      mirror: {
        every: 3,
        noise: () => tf.zeros([1]),
        run: () => {
          mirrors.push(step);
        },
      },
    };
    registerRule(rule);
    const model = tinyModel('loop-probe');
    await trainClassifier({
      model,
      train: quadrantSource(64, 16, 1), // 4 steps an epoch
      test: quadrantSource(32, 32, 2),
      epochs: 2,
      groups: [
        { name: 'last', layers: ['fc'], lr: 0.5 },
        { name: 'hidden', lr: 0.05, weightDecay: 1e-3 },
      ],
      schedule: multiStepSchedule([1]),
      runDir: mkdtempSync(join(tmpdir(), 'learned-')),
      config: {},
      progress: 'none',
      afterStep: () => {
        step++;
      },
    });
    // Two rule layers (conv, conv2; fc is bp) at each of 8 steps, with the hidden group's settings.
    expect(updates).toHaveLength(16);
    expect(updates.slice(0, 8).every((u) => u.lr === 0.05 && u.weightDecay === 1e-3)).toBe(true);
    expect(updates.slice(8).every((u) => Math.abs(u.lr - 0.005) < 1e-12)).toBe(true);
    // Mirror phases after steps 3 and 6, before that step's afterStep hook, for each of the two layers.
    expect(mirrors).toEqual([2, 2, 5, 5]);
  });

  for (const rule of ['kp', 'wm']) {
    it(`${rule}: stopped mid-epoch and resumed, W, B and B's momentum equal the uninterrupted run's`, async () => {
      const options = (model: tfl.LayersModel, runDir: string): TrainClassifierOptions => ({
        model,
        train: quadrantSource(64, 16, 1),
        test: quadrantSource(32, 32, 2),
        epochs: 3,
        groups: [{ name: 'all', lr: 0.05, momentum: 0.9, weightDecay: 1e-3 }],
        schedule: multiStepSchedule([2]),
        runDir,
        config: {},
        progress: 'none',
      });
      const straight = tinyModel(rule, 5);
      await trainClassifier(options(straight, mkdtempSync(join(tmpdir(), 'learned-'))));

      const dir = mkdtempSync(join(tmpdir(), 'learned-'));
      const stop = { requested: false };
      const first = tinyModel(rule, 5);
      const res = await trainClassifier({
        ...options(first, dir),
        stop,
        afterStep: (ctx: StepContext) => {
          if (ctx.globalStep === 6) stop.requested = true; // epoch 2, step 2
        },
      });
      expect(res.status).toBe('stopped');
      const resumed = tinyModel(rule, 5);
      await trainClassifier({ ...options(resumed, dir), resume: true });
      const expected = weights(straight);
      expect(Object.keys(expected)).toContain('conv2/feedback');
      if (rule === 'kp') expect(Object.keys(expected)).toContain('conv2/feedbackMomentum');
      expect(weights(resumed)).toEqual(expected);
      // B learned: it left fa's random start.
      const fa = tinyModel('fa', 5);
      expect(weights(fa)['conv2/feedback']).not.toEqual(expected['conv2/feedback']);
    });
  }
});
