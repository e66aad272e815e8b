import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { sigmoidFocalLoss } from './focal-loss';
import { loadDetectionPartsVectors, maxRelativeError } from './testing/reference';

const ref = loadDetectionPartsVectors().focal;

describe('sigmoidFocalLoss', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const c of ref) {
      it(`${backend}: loss and gradient equal torchvision, alpha ${c.alpha}, gamma ${c.gamma} (logits up to +-60, soft targets)`, async () => {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const logits = tf.tensor1d(c.logits);
        const targets = tf.tensor1d(c.targets);
        const { value, grads } = tf.valueAndGrads((x: tf.Tensor) =>
          sigmoidFocalLoss(x, targets, c.alpha, c.gamma).sum(),
        )([logits]);
        const loss = sigmoidFocalLoss(logits, targets, c.alpha, c.gamma);
        // 1e-5 relative, 1e-7 absolute for losses of easy examples (down to 1e-30)
        expect(maxRelativeError(await loss.data(), c.loss, 1e-2)).toBeLessThan(1e-5);
        expect(maxRelativeError(await grads[0].data(), c.gradOfSum, 1e-2)).toBeLessThan(1e-5);
        expect(Math.abs((await value.data())[0] - c.loss.reduce((a, b) => a + b, 0))).toBeLessThan(1e-4);
        tf.dispose([logits, targets, value, grads, loss]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('cpu: keeps the shape and stays finite for huge logits', async () => {
    await tf.setBackend('cpu');
    const logits = tf.tensor2d([200, -200, 0, 88], [2, 2]);
    const targets = tf.tensor2d([0, 1, 1, 0], [2, 2]);
    const loss = sigmoidFocalLoss(logits, targets);
    expect(loss.shape).toEqual([2, 2]);
    const v = await loss.data();
    expect(v[0]).toBeCloseTo(0.75 * 200, 3);
    expect(v[1]).toBeCloseTo(0.25 * 200, 3);
    expect(v[2]).toBeCloseTo(0.25 * Math.LN2 * 0.25, 6);
    tf.dispose([logits, targets, loss]);
  });
});
