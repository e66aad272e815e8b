import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { generalizedBoxIouLoss } from './giou-loss';

describe('generalizedBoxIouLoss', () => {
  it('cpu: 0 for equal boxes, 1 - IoU for nested ones, above 1 for disjoint ones; no leaks', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const a = tf.tensor2d([0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 2, 2], [3, 4]);
    const b = tf.tensor2d([0, 0, 10, 10, 0, 0, 5, 10, 4, 0, 6, 2], [3, 4]);
    const loss = generalizedBoxIouLoss(a, b);
    expect(loss.shape).toEqual([3]);
    const [same, nested, disjoint] = await loss.data();
    expect(same).toBeCloseTo(0, 6);
    expect(nested).toBeCloseTo(0.5, 6);
    // IoU 0, enclosing box 6 x 2 = 12, union 8: 1 - (0 - 4 / 12)
    expect(disjoint).toBeCloseTo(1 + 4 / 12, 6);
    tf.dispose([a, b, loss]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
