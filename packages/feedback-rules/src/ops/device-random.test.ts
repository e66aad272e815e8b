import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { webgpuUnavailable } from '../../../../test-support/webgpu';
import { feedbackScale } from '../ops/feedback-scale';
import { batchwiseRandomSignFeedback } from '../rules/batchwise-random-sign-feedback';
import type { FeedbackContext } from '../rules/feedback-rule';
import { relativeError } from '../testing/reference';
import { backendPlan, setBackendPlan } from './backend-plan';
import { deviceRandomNormal, deviceRandomUniform } from './device-random';

const webgpuSkip = await webgpuUnavailable();

function moments(v: Float32Array) {
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let m2 = 0;
  let m4 = 0;
  for (const x of v) {
    m2 += (x - mean) ** 2;
    m4 += (x - mean) ** 4;
  }
  m2 /= v.length;
  m4 /= v.length;
  return { mean, std: Math.sqrt(m2), kurtosis: m4 / (m2 * m2) };
}

function correlation(a: Float32Array, b: Float32Array): number {
  const [ma, mb] = [moments(a), moments(b)];
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i] - ma.mean) * (b[i] - mb.mean);
  return c / a.length / (ma.std * mb.std);
}

const conv: FeedbackContext = {
  kind: 'conv2d',
  kernelShape: [3, 3, 64, 64],
  scale: feedbackScale('conv2d', [3, 3, 64, 64]),
  seed: 5,
};

describe('random draws on the device', () => {
  afterEach(() => setBackendPlan('cpu', undefined));

  it('normal draws have the mean, standard deviation and tails of N(mean, std)', async () => {
    const v = (await deviceRandomNormal([3, 3, 64, 64], 0.5, 2, 1).data()) as Float32Array;
    const n = v.length;
    const m = moments(v);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan((4 * 2) / Math.sqrt(n));
    expect(Math.abs(m.std / 2 - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.15);
    const beyond = v.filter((x) => Math.abs(x - 0.5) > 1.96 * 2).length / n;
    expect(Math.abs(beyond - 0.05)).toBeLessThan(0.005);
  });

  it('uniform draws fill [min, max) evenly', async () => {
    const v = (await deviceRandomUniform([300, 200], -3, 1, 2).data()) as Float32Array;
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...v)).toBeLessThan(1);
    const bins = new Array(10).fill(0);
    for (const x of v) bins[Math.floor(((x + 3) / 4) * 10)]++;
    for (const b of bins) expect(Math.abs(b / v.length - 0.1)).toBeLessThan(0.006);
  });

  it('a seed gives the same draw; other seeds, neighbouring elements and rows are uncorrelated', async () => {
    const a = (await deviceRandomNormal([64, 576], 0, 1, 7).data()) as Float32Array;
    const again = (await deviceRandomNormal([64, 576], 0, 1, 7).data()) as Float32Array;
    const b = (await deviceRandomNormal([64, 576], 0, 1, 8).data()) as Float32Array;
    expect(Array.from(again)).toEqual(Array.from(a));
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.03);
    expect(Math.abs(correlation(a.subarray(1), a.subarray(0, -1)))).toBeLessThan(0.03);
    expect(Math.abs(correlation(a.subarray(576), a.subarray(0, -576)))).toBeLessThan(0.03);
  });

  it('brsf draws R on the device when the plan says so: |R| * sign(W), new every step', async () => {
    expect(backendPlan('cpu').stepRandom).toBe('host');
    setBackendPlan('cpu', { stepRandom: 'device' });
    const before = tf.memory().numTensors;
    const kernel = tf.randomNormal(conv.kernelShape, 0, 1, 'float32', 3);
    const b0 = batchwiseRandomSignFeedback.feedback({ kernel, state: {}, ctx: conv, step: 0 });
    const b1 = batchwiseRandomSignFeedback.feedback({ kernel, state: {}, ctx: conv, step: 1 });
    const [k, v0, v1] = [await kernel.data(), await b0.data(), await b1.data()] as Float32Array[];
    for (let i = 0; i < k.length; i++) expect(Math.sign(v0[i])).toBe(Math.sign(k[i]));
    // |R| of N(0, s): mean s * sqrt(2 / pi).
    const meanAbs = v0.reduce((s, x) => s + Math.abs(x), 0) / v0.length;
    expect(meanAbs / (conv.scale * Math.sqrt(2 / Math.PI))).toBeCloseTo(1, 1);
    expect(Math.abs(correlation(v0.map(Math.abs), v1.map(Math.abs)))).toBeLessThan(0.03);
    tf.dispose([kernel, b0, b1]);
    // Nothing but the generator's three tables (made once per backend) stays behind.
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(3);
  });
});

describe.skipIf(webgpuSkip !== null)(
  `random draws on webgpu${webgpuSkip ? ` (skipped: ${webgpuSkip})` : ''}`,
  () => {
    afterAll(() => tf.setBackend('cpu'));

    it('plans device draws, and draws what cpu draws with the same formulation', async () => {
      await tf.setBackend('cpu');
      setBackendPlan('cpu', { stepRandom: 'device' });
      const kernel = tf.randomNormal(conv.kernelShape, 0, 1, 'float32', 3);
      const kernelData = await kernel.data();
      const onCpu = batchwiseRandomSignFeedback.feedback({ kernel, state: {}, ctx: conv, step: 4 });
      const dense = { ...conv, kind: 'dense' as const, kernelShape: [40, 30], scale: 0.2 };
      const denseKernel = tf.randomNormal([40, 30], 0, 1, 'float32', 4);
      const denseData = await denseKernel.data();
      const denseOnCpu = batchwiseRandomSignFeedback.feedback({
        kernel: denseKernel,
        state: {},
        ctx: dense,
        step: 4,
      });
      const want = [await onCpu.data(), await denseOnCpu.data()];
      tf.dispose([kernel, onCpu, denseKernel, denseOnCpu]);
      setBackendPlan('cpu', undefined);

      await tf.setBackend('webgpu');
      expect(backendPlan().stepRandom).toBe('device');
      const k = tf.tensor(kernelData, conv.kernelShape);
      const dk = tf.tensor(denseData, [40, 30]);
      const got = batchwiseRandomSignFeedback.feedback({ kernel: k, state: {}, ctx: conv, step: 4 });
      const denseGot = batchwiseRandomSignFeedback.feedback({ kernel: dk, state: {}, ctx: dense, step: 4 });
      expect(relativeError(await got.data(), want[0])).toBeLessThan(1e-5);
      expect(relativeError(await denseGot.data(), want[1])).toBeLessThan(1e-6);
      tf.dispose([k, dk, got, denseGot]);
    });
  },
);
