import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadFeedbackVectors } from '../testing/reference';
import { SGD } from './sgd';

const { sgd } = loadFeedbackVectors();

describe('SGD matches PyTorch trajectories', () => {
  for (const c of sgd) {
    it(c.variant, () => {
      const p = tf.variable(tf.tensor1d(c.param0));
      const opt = new SGD([
        {
          name: 'all',
          params: [p],
          lr: c.lr,
          momentum: c.momentum,
          weightDecay: c.weightDecay,
          batchManhattan: c.variant === 'batch-manhattan',
          noSignChange: c.variant === 'no-sign-change',
          lowerBound: c.lowerBound,
        },
      ]);
      c.grads.forEach((g, i) => {
        const grad = tf.tensor1d(g);
        opt.step({ [p.name]: grad });
        grad.dispose();
        const got = p.dataSync();
        c.params[i].forEach((v, j) => expect(Math.abs(got[j] - v)).toBeLessThan(1e-6));
      });
      opt.dispose();
      p.dispose();
    });
  }

  it('no-sign-change clamps a crossing weight at +/-lowerBound on its old side', () => {
    const p = tf.variable(tf.tensor1d([0.05, -0.05, 0.5]));
    const opt = new SGD([
      { name: 'g', params: [p], lr: 1, momentum: 0, noSignChange: true, lowerBound: 1e-10 },
    ]);
    opt.step({ [p.name]: tf.tensor1d([0.1, -0.1, 0.1]) });
    const got = Array.from(p.dataSync());
    expect(got[0]).toBeCloseTo(1e-10, 15);
    expect(got[1]).toBeCloseTo(-1e-10, 15);
    expect(got[2]).toBeCloseTo(0.4, 6);
  });

  it('per-group learning rates and state round trip', () => {
    const a = tf.variable(tf.tensor1d([1, 1]));
    const b = tf.variable(tf.tensor1d([1, 1]));
    const opt = new SGD([
      { name: 'hidden', params: [a], lr: 0.1 },
      { name: 'last', params: [b], lr: 0.01 },
    ]);
    const g = tf.tensor1d([1, 1]);
    opt.step({ [a.name]: g, [b.name]: g });
    expect(a.dataSync()[0]).toBeCloseTo(0.9, 6);
    expect(b.dataSync()[0]).toBeCloseTo(0.99, 6);
    const state = opt.getState();
    const opt2 = new SGD([
      { name: 'hidden', params: [a], lr: 5 },
      { name: 'last', params: [b], lr: 5 },
    ]);
    opt2.setState(state);
    opt.step({ [a.name]: g, [b.name]: g });
    const a1 = a.dataSync()[0];
    a.assign(tf.tensor1d([0.9, 0.9]));
    opt2.step({ [a.name]: g, [b.name]: g });
    // Same buffer and rate after restoring: buf = 0.9 * 1 + 1 = 1.9, a = 0.9 - 0.1 * 1.9.
    expect(a.dataSync()[0]).toBeCloseTo(a1, 6);
    expect(a1).toBeCloseTo(0.9 - 0.19, 6);
    expect(opt2.iterations).toBe(2);
    expect(() => opt.step({ nope: g })).toThrow(/unknown parameter 'nope'/);
  });

  it('a guarded step changes nothing where `applied` is false, and equals the plain step where it is true', () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const opt = new SGD([{ name: 'all', params: [p], lr: 0.1, momentum: 0.9, weightDecay: 0.5 }]);
    const g = tf.tensor1d([Number.NaN, 3]);
    opt.step({ [p.name]: g }, tf.scalar(false, 'bool'));
    expect(Array.from(p.dataSync())).toEqual([1, -2]);
    expect(Object.keys(opt.getState().buffers)).toHaveLength(1);
    expect(Array.from(opt.getState().buffers[p.name].dataSync())).toEqual([0, 0]);
    // After a skipped first step the buffer starts from zeros: buf = g + wd p, as PyTorch's first step.
    const good = tf.tensor1d([1, 3]);
    opt.step({ [p.name]: good }, tf.scalar(true, 'bool'));
    const d = [1 + 0.5 * 1, 3 + 0.5 * -2];
    expect(p.dataSync()[0]).toBeCloseTo(1 - 0.1 * d[0], 6);
    expect(p.dataSync()[1]).toBeCloseTo(-2 - 0.1 * d[1], 6);
    const plain = tf.variable(tf.tensor1d([1, -2]));
    const reference = new SGD([{ name: 'all', params: [plain], lr: 0.1, momentum: 0.9, weightDecay: 0.5 }]);
    reference.step({ [plain.name]: good });
    expect(Array.from(p.dataSync())).toEqual(Array.from(plain.dataSync()));
  });
});
