import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { resnet, resnetBackbone } from './resnet';

describe('resnetBackbone', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the classifier without its head: same weights by name, same C5 as the classifier body', () => {
    const clf = resnet({ depth: 18, width: 4, inputChannels: 1, classes: 3, inputSize: 64, seed: 3 });
    const bb = resnetBackbone({ depth: 18, width: 4, inputChannels: 1, seed: 3, stages: [4] });
    const clfWeights = new Map(clf.weights.map((w) => [w.originalName, w]));
    expect(bb.weights.length).toBe(clf.weights.length - 2); // everything but fc's kernel and bias
    for (const w of bb.weights) {
      expect(Array.from(w.read().dataSync())).toEqual(
        Array.from(clfWeights.get(w.originalName)!.read().dataSync()),
      );
    }
    const body = tfl.model({ inputs: clf.inputs, outputs: clf.getLayer('layers.7.relu').output });
    const x = tf.randomNormal([2, 64, 64, 1], 0, 1, 'float32', 1);
    const expected = body.predict(x) as tf.Tensor;
    const actual = bb.predict(x) as tf.Tensor;
    expect(actual.shape).toEqual([2, 2, 2, 32]);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, expected, actual]);
  });

  it('takes any input size and returns C3-C5 at strides 8, 16, 32', () => {
    const bb = resnetBackbone({ depth: 50, width: 2, seed: 1 });
    const out = bb.predict(tf.zeros([1, 96, 64, 3])) as tf.Tensor[];
    expect(out.map((t) => t.shape)).toEqual([
      [1, 12, 8, 16],
      [1, 6, 4, 32],
      [1, 3, 2, 64],
    ]);
    const wide = bb.predict(tf.zeros([1, 64, 160, 3])) as tf.Tensor[];
    expect(wide[2].shape).toEqual([1, 2, 5, 64]);
  });

  it('prefixes layer names without changing the init, and refuses unknown stages', () => {
    const plain = resnetBackbone({ depth: 18, width: 4, seed: 9 });
    const named = resnetBackbone({ depth: 18, width: 4, seed: 9, namePrefix: 'backbone.body.' });
    expect(named.getLayer('backbone.body.layers.2.down.0')).toBeDefined();
    expect(named.weights.map((w) => w.originalName)).toEqual(
      plain.weights.map((w) => `backbone.body.${w.originalName}`),
    );
    expect(Array.from(named.weights[0].read().dataSync())).toEqual(
      Array.from(plain.weights[0].read().dataSync()),
    );
    expect(() => resnetBackbone({ depth: 18, stages: [5] })).toThrow(
      'resnet18 backbone: stages must be a non-empty list of 1, 2, 3 or 4, got [5]',
    );
  });
});
