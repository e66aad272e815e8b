import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConvCase, type DenseCase, loadFeedbackVectors, relativeError } from '../testing/reference';
import { asymmetricConv2d } from './asymmetric-conv2d';
import { asymmetricDense } from './asymmetric-dense';
import { feedbackScale } from './feedback-scale';
import { type ConvGradientPlan, setConvGradientPlan } from './gradient-plan';

const vectors = loadFeedbackVectors();
const convCases = vectors.cases.filter((c): c is ConvCase => c.kind === 'conv2d');
const denseCases = vectors.cases.filter((c): c is DenseCase => c.kind === 'dense');
const TOL = 1e-5;

function convFeedback(c: ConvCase, rule: 'bp' | 'ss' | 'fa', w: tf.Tensor4D): tf.Tensor4D {
  if (rule === 'bp') return w;
  if (rule === 'ss') return tf.mul(tf.sign(w), c.ssScale) as tf.Tensor4D;
  return tf.tensor4d(c.faFeedback, c.filterShape as [number, number, number, number]);
}

function runConv(c: ConvCase, rule: 'bp' | 'ss' | 'fa') {
  return tf.tidy(() => {
    const x = tf.tensor4d(c.x, c.inputShape as [number, number, number, number]);
    const w = tf.tensor4d(c.filter, c.filterShape as [number, number, number, number]);
    const dy = tf.tensor4d(c.dy, c.outputShape as [number, number, number, number]);
    const b = convFeedback(c, rule, w);
    const f = (xx: tf.Tensor, ww: tf.Tensor) =>
      asymmetricConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, b, { strides: c.strides, pad: c.padding });
    const y = f(x, w);
    const [dx, dw] = tf.grads(f)([x, w], dy);
    return { y: y.dataSync().slice(), dx: dx.dataSync().slice(), dw: dw.dataSync().slice() };
  });
}

const plans: [string, ConvGradientPlan][] = [
  ['compositions', { input: 'phase-conv', filter: 'dilated-conv' }],
  ['native kernels', { input: 'native', filter: 'native' }],
];

for (const backend of ['cpu', 'wasm']) {
  describe(`asymmetric ops on ${backend}`, () => {
    it('activates the backend', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
    });
    for (const [planName, plan] of plans) {
      // wasm registers no Conv2DBackpropFilter, so its native plan cannot run.
      if (backend === 'wasm' && plan.filter === 'native') continue;
      for (const c of convCases) {
        const label = `${c.filterShape[0]}x${c.filterShape[1]}/${c.strides} pad ${c.padding} on [${c.inputShape}]`;
        it(`conv ${label} (${planName}) matches PyTorch for bp, ss, fa`, () => {
          setConvGradientPlan(backend, plan);
          try {
            for (const rule of ['bp', 'ss', 'fa'] as const) {
              const r = runConv(c, rule);
              expect(relativeError(r.y, c.y)).toBeLessThan(TOL);
              expect(relativeError(r.dx, c.dx[rule]), `dx ${rule}`).toBeLessThan(TOL);
              expect(relativeError(r.dw, c.dFilter), `dW ${rule}`).toBeLessThan(TOL);
            }
          } finally {
            setConvGradientPlan(backend, undefined);
          }
        });
      }
    }
    for (const c of denseCases) {
      it(`dense [${c.kernelShape}] matches PyTorch for bp, ss, fa`, () => {
        for (const rule of ['bp', 'ss', 'fa'] as const) {
          const r = tf.tidy(() => {
            const x = tf.tensor2d(c.x, c.inputShape as [number, number]);
            const k = tf.tensor2d(c.kernel, c.kernelShape as [number, number]);
            const bias = tf.tensor1d(c.bias);
            const dy = tf.tensor2d(c.dy, [c.inputShape[0], c.kernelShape[1]]);
            const fb =
              rule === 'bp'
                ? k
                : rule === 'ss'
                  ? (tf.mul(tf.sign(k), c.ssScale) as tf.Tensor2D)
                  : tf.tensor2d(c.faFeedback, c.kernelShape as [number, number]);
            const f = (xx: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) =>
              asymmetricDense(xx as tf.Tensor2D, kk as tf.Tensor2D, fb, bb as tf.Tensor1D);
            const y = f(x, k, bias);
            const [dx, dk, db] = tf.grads(f)([x, k, bias], dy);
            return {
              y: y.dataSync().slice(),
              dx: dx.dataSync().slice(),
              dk: dk.dataSync().slice(),
              db: db.dataSync().slice(),
            };
          });
          expect(relativeError(r.y, c.y)).toBeLessThan(TOL);
          expect(relativeError(r.dx, c.dx[rule]), `dx ${rule}`).toBeLessThan(TOL);
          expect(relativeError(r.dk, c.dKernel)).toBeLessThan(TOL);
          expect(relativeError(r.db, c.dBias)).toBeLessThan(TOL);
        }
      });
    }
    it('feedbackScale is the reference ssScale', () => {
      for (const c of convCases) expect(feedbackScale('conv2d', c.filterShape)).toBeCloseTo(c.ssScale, 12);
      for (const c of denseCases) expect(feedbackScale('dense', c.kernelShape)).toBeCloseTo(c.ssScale, 12);
    });
  });
}

afterAll(() => tf.setBackend('cpu'));
