import '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layerFeedback, toFeedbackModel } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { multiStepSchedule } from './lr-schedule';
import { quadrantSource } from './testing/tiny-setup';
import { trainClassifier } from './train-classifier';

/** A plain tfjs-layers CNN, as a user has it: no BioProp layer in it. */
function plainModel() {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        name: 'conv',
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: 1 }),
      }),
      tfl.layers.conv2d({
        name: 'conv2',
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: 2 }),
      }),
      tfl.layers.flatten(),
      tfl.layers.dense({
        name: 'fc',
        units: 4,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      }),
    ],
  });
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('a model converted by toFeedbackModel trains with the trainer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('fa: learns the task while B stays what it was drawn as and W moves', async () => {
    const { model, converted } = toFeedbackModel(plainModel(), 'fa', { seed: 5 });
    expect(converted.map((c) => `${c.path}:${c.rule}`)).toEqual(['conv:fa', 'conv2:fa', 'fc:bp']);
    const fb = layerFeedback(model.getLayer('conv2'))!;
    const feedbackBefore = values(fb.stateWeights.feedback.read());
    const kernelBefore = values(model.getLayer('conv2').getWeights()[0]);
    const res = await trainClassifier({
      model,
      train: quadrantSource(96, 16, 1),
      test: quadrantSource(64, 32, 2),
      epochs: 4,
      groups: [{ name: 'all', lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }],
      schedule: multiStepSchedule([]),
      runDir: mkdtempSync(join(tmpdir(), 'converted-')),
      config: { test: true },
      progress: 'none',
      alignmentEvery: 2,
    });
    expect(res.status).toBe('completed');
    const [first, last] = [res.history[0], res.history[res.history.length - 1]];
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
    expect(last.top1Err).toBeLessThan(50); // chance is 75 %
    expect(values(fb.stateWeights.feedback.read())).toEqual(feedbackBefore);
    expect(values(model.getLayer('conv2').getWeights()[0])).not.toEqual(kernelBefore);
    expect(fb.step).toBeGreaterThan(0);
  });
});
