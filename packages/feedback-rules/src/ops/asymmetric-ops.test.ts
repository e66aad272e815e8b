import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuUnavailable } from '../../../../test-support/webgpu';
import { type ConvCase, type DenseCase, loadFeedbackVectors, relativeError } from '../testing/reference';
import { asymmetricConv2d } from './asymmetric-conv2d';
import { asymmetricDense } from './asymmetric-dense';
import { backendPlan, type ConvGradientPlan, setConvGradientPlan } from './backend-plan';
import { feedbackScale } from './feedback-scale';

const vectors = loadFeedbackVectors();
const convCases = vectors.cases.filter((c): c is ConvCase => c.kind === 'conv2d');
const denseCases = vectors.cases.filter((c): c is DenseCase => c.kind === 'dense');
const TOL = 1e-5;
// Every read is asynchronous: the webgpu backend cannot read synchronously in Node.
const webgpuSkip = await webgpuUnavailable();
/** Worst relative errors per backend, printed at the end (the report's numbers). */
const worst: Record<string, number> = {};
function check(backend: string, actual: Float32Array, expected: number[], label: string) {
  const err = relativeError(actual, expected);
  worst[backend] = Math.max(worst[backend] ?? 0, err);
  expect(err, label).toBeLessThan(TOL);
}

function convFeedback(c: ConvCase, rule: 'bp' | 'ss' | 'fa', w: tf.Tensor4D): tf.Tensor4D {
  if (rule === 'bp') return w;
  if (rule === 'ss') return tf.mul(tf.sign(w), c.ssScale) as tf.Tensor4D;
  return tf.tensor4d(c.faFeedback, c.filterShape as [number, number, number, number]);
}

/** Reads named tensors back (asynchronously) and disposes them. */
async function readAll<K extends string>(ts: Record<K, tf.Tensor>): Promise<Record<K, Float32Array>> {
  const out = {} as Record<K, Float32Array>;
  for (const k of Object.keys(ts) as K[]) out[k] = (await ts[k].data()) as Float32Array;
  tf.dispose(Object.values(ts) as tf.Tensor[]);
  return out;
}

function runConv(c: ConvCase, rule: 'bp' | 'ss' | 'fa') {
  const ts = tf.tidy(() => {
    const x = tf.tensor4d(c.x, c.inputShape as [number, number, number, number]);
    const w = tf.tensor4d(c.filter, c.filterShape as [number, number, number, number]);
    const dy = tf.tensor4d(c.dy, c.outputShape as [number, number, number, number]);
    const b = convFeedback(c, rule, w);
    const f = (xx: tf.Tensor, ww: tf.Tensor) =>
      asymmetricConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, b, { strides: c.strides, pad: c.padding });
    const y = f(x, w);
    const [dx, dw] = tf.grads(f)([x, w], dy);
    return { y, dx, dw };
  });
  return readAll(ts);
}

const plans: [string, ConvGradientPlan][] = [
  ['compositions', { input: 'phase-conv', filter: 'dilated-conv' }],
  ['native kernels', { input: 'native', filter: 'native' }],
];

for (const backend of ['cpu', 'wasm', 'webgpu']) {
  const skip = backend === 'webgpu' ? webgpuSkip : null;
  describe.skipIf(skip !== null)(`asymmetric ops on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    it('activates the backend', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
      // GPU backends keep every op of a step on the device: the backend's kernels, device draws.
      if (backend === 'webgpu') {
        expect(backendPlan()).toEqual({
          conv: { input: 'native', filter: 'native' },
          matMulTranspose: 'flags',
          stepRandom: 'device',
          readBack: 'stalls',
          hostMemory: 'copy',
        });
      }
    });
    for (const [planName, plan] of plans) {
      // wasm registers no Conv2DBackpropFilter, so its native plan cannot run. The compositions read tensors
      // back to the host, so WebGPU runs only its own plan (its kernels).
      if (backend === 'wasm' && plan.filter === 'native') continue;
      if (backend === 'webgpu' && plan.input !== 'native') continue;
      for (const c of convCases) {
        const label = `${c.filterShape[0]}x${c.filterShape[1]}/${c.strides} pad ${c.padding} on [${c.inputShape}]`;
        it(`conv ${label} (${planName}) matches PyTorch for bp, ss, fa`, async () => {
          setConvGradientPlan(backend, plan);
          try {
            for (const rule of ['bp', 'ss', 'fa'] as const) {
              const r = await runConv(c, rule);
              check(backend, r.y, c.y, `y ${rule}`);
              check(backend, r.dx, c.dx[rule], `dx ${rule}`);
              check(backend, r.dw, c.dFilter, `dW ${rule}`);
            }
          } finally {
            setConvGradientPlan(backend, undefined);
          }
        });
      }
    }
    for (const c of denseCases) {
      it(`dense [${c.kernelShape}] matches PyTorch for bp, ss, fa`, async () => {
        for (const rule of ['bp', 'ss', 'fa'] as const) {
          const ts = tf.tidy(() => {
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
            return { y, dx, dk, db };
          });
          const r = await readAll(ts);
          check(backend, r.y, c.y, `y ${rule}`);
          check(backend, r.dx, c.dx[rule], `dx ${rule}`);
          check(backend, r.dk, c.dKernel, `dK ${rule}`);
          check(backend, r.db, c.dBias, `dBias ${rule}`);
        }
      });
    }
    it('feedbackScale is the reference ssScale', () => {
      for (const c of convCases) expect(feedbackScale('conv2d', c.filterShape)).toBeCloseTo(c.ssScale, 12);
      for (const c of denseCases) expect(feedbackScale('dense', c.kernelShape)).toBeCloseTo(c.ssScale, 12);
    });
  });
}

afterAll(async () => {
  console.log(
    `worst relative error against PyTorch float64: ${Object.entries(worst)
      .map(([b, e]) => `${b} ${e.toExponential(2)}`)
      .join(', ')}`,
  );
  await tf.setBackend('cpu');
});
