import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerFeedback } from '../layers/layer-feedback';
import { SGD } from '../optim/sgd';
import { learnedFeedbackNet, worstSnapshotError } from '../testing/learned-feedback-net';
import { loadLearnedFeedbackVectors, relativeError } from '../testing/reference';
import { getRule, registerRule } from './rule-registry';
import { createWeightMirror } from './weight-mirror';

const ref = loadLearnedFeedbackVectors();
// The reference's mirror settings, under a name of their own (the built-in 'wm' keeps Akrout's defaults).
registerRule(createWeightMirror({ name: 'wm-reference', ...ref.mirror }));

/**
 * Three steps as the training loop takes them: gradients, the SGD step, then each rule layer's `update` with its
 * kernel's gradient and settings and its mirror phase on the reference's fixed noise.
 */
function trainThreeSteps(model: tfl.LayersModel, check: (step: number) => void): void {
  const trainables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sgd = new SGD([{ name: 'all', params: trainables, ...ref.optimizer }]);
  ref.batches.forEach((batch, step) => {
    tf.tidy(() => {
      const x = tf.tensor(batch.x, ref.inputShape, 'float32');
      const labels = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), ref.classes);
      const { grads } = tf.variableGrads(
        () =>
          tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        trainables,
      );
      sgd.step(grads);
      for (const name of ref.ruleLayers) {
        const fb = layerFeedback(model.getLayer(name))!;
        const kernel = (fb.kernel!.read() as tf.Variable).name;
        fb.update(grads[kernel], sgd.settingsOf(kernel)!);
        const noise = ref.noise[step][name];
        if (fb.mirrorDue(step + 1)) fb.mirror(tf.tensor(noise.data, noise.shape, 'float32'));
      }
    });
    check(step);
  });
  sgd.dispose();
}

for (const backend of ['cpu', 'wasm']) {
  describe(`rules that learn their feedback, against PyTorch float64 (${backend})`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    for (const [rule, expected] of [
      ['kp', ref.kp],
      ['wm-reference', ref.wm],
    ] as const) {
      it(`${rule}: W and B after each of three steps within 1e-5`, () => {
        const model = learnedFeedbackNet(ref, rule);
        const errors: string[] = [];
        trainThreeSteps(model, (step) => {
          const { error, where } = worstSnapshotError(model, expected[step], relativeError);
          errors.push(`step ${step + 1}: ${error.toExponential(2)} (${where})`);
          expect(error, where).toBeLessThan(1e-5);
        });
        console.log(`${backend} ${rule}: worst relative error per step: ${errors.join('; ')}`);
        // B really moved: it is no longer the initial random feedback.
        const b = layerFeedback(model.getLayer('fc1'))!.stateWeights.feedback.read().dataSync();
        expect(relativeError(b, ref.initial.feedback.fc1)).toBeGreaterThan(1e-3);
        model.dispose();
      });
    }
  });
}

describe('kp and wm', () => {
  it('start from fa’s random feedback and are built in', async () => {
    await tf.setBackend('cpu');
    const feedbackOf = (rule: string) => {
      const model = learnedFeedbackNet(ref, rule);
      // A fresh layer of the same seed, not the reference weights: the rule's own initial state.
      const fb = layerFeedback(model.getLayer('conv1'))!;
      fb.initState(fb.kernel!.read());
      return Array.from(fb.stateWeights.feedback.read().dataSync());
    };
    expect(feedbackOf('kp')).toEqual(feedbackOf('fa'));
    expect(feedbackOf('wm')).toEqual(feedbackOf('fa'));
    expect(getRule('kp').update).toBeTypeOf('function');
    expect(getRule('wm').mirror?.every).toBe(1);
  });

  it('kp keeps its momentum buffer as state, zero at the start', async () => {
    await tf.setBackend('cpu');
    const model = learnedFeedbackNet(ref, 'kp');
    const fb = layerFeedback(model.getLayer('fc1'))!;
    expect(Object.keys(fb.stateWeights)).toEqual(['feedback', 'feedbackMomentum']);
    expect(Math.max(...fb.stateWeights.feedbackMomentum.read().dataSync())).toBe(0);
    // It is saved with the model as a non-trainable weight.
    expect(model.nonTrainableWeights.map((w) => w.originalName)).toContain('fc1/feedbackMomentum');
  });

  it('weight mirror options: Akrout’s defaults, checked values, a decay whose fixed point is W', () => {
    expect(createWeightMirror().settings).toEqual({
      learningRate: 0.01,
      noiseStd: 0.1,
      batchSize: 128,
      decay: 0.01 * 128 * 0.01,
      every: 1,
    });
    expect(() => createWeightMirror({ every: 0 })).toThrow(
      "weight mirror 'wm': every must be a positive integer",
    );
    expect(() => createWeightMirror({ decay: 1 })).toThrow('decay must be in [0, 1)');
    expect(() => createWeightMirror({ noiseStd: -1 })).toThrow('noiseStd must be a positive number');
  });

  it('the mirror phase with its own noise: B converges to W for a frozen W', async () => {
    await tf.setBackend('cpu');
    registerRule(
      createWeightMirror({ name: 'wm-converge', learningRate: 0.0005, batchSize: 256, noiseStd: 0.5 }),
    );
    const model = learnedFeedbackNet(ref, 'wm-converge');
    for (const name of ['conv2', 'fc1']) {
      const fb = layerFeedback(model.getLayer(name))!;
      const angle = () =>
        tf.tidy(() => {
          const b = fb.stateWeights.feedback.read();
          const w = fb.kernel!.read();
          const cos = tf.div(tf.sum(tf.mul(b, w)), tf.mul(tf.norm(b), tf.norm(w))).dataSync()[0];
          return (Math.acos(Math.min(1, cos)) * 180) / Math.PI;
        });
      expect(angle()).toBeGreaterThan(60);
      for (let i = 0; i < 200; i++) {
        tf.tidy(() => fb.mirror());
        fb.step++; // a training step between phases draws new noise
      }
      expect(angle()).toBeLessThan(10);
      // The fixed point is W itself (decay = eta * n * std^2), not a multiple of it.
      const ratio = tf.tidy(
        () => tf.div(tf.norm(fb.stateWeights.feedback.read()), tf.norm(fb.kernel!.read())).dataSync()[0],
      );
      expect(ratio).toBeGreaterThan(0.9);
      expect(ratio).toBeLessThan(1.1);
    }
  });
});
