import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { AsymmetricConv2D, AsymmetricDense } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuUnavailable } from '../../../test-support/webgpu';
import { buildModel } from './build-model';
import {
  fromPytorchLayout,
  loadPytorchStateDict,
  pytorchName,
  type TorchStateDictInput,
  toPytorchLayout,
} from './pytorch-state-dict';
import { loadResNetTinyVectors, type ReferenceTensor, relativeError } from './testing/reference';

const ref = loadResNetTinyVectors();
// Every read is asynchronous: the webgpu backend cannot read synchronously in Node.
const webgpuSkip = await webgpuUnavailable();

/** A reference tensor (tfjs layout) in PyTorch layout, as a state_dict entry. */
async function torchEntry(t: ReferenceTensor): Promise<{ shape: number[]; data: Float32Array }> {
  const p = tf.tidy(() => toPytorchLayout(tf.tensor(t.data, t.shape, 'float32')));
  const entry = { shape: p.shape, data: (await p.data()) as Float32Array };
  p.dispose();
  return entry;
}

/** The reference weights, and the fa feedback under the reference code's `<module>.fixed`, in PyTorch layout. */
async function referenceStateDict(withFeedback: boolean): Promise<TorchStateDictInput> {
  const dict: TorchStateDictInput = {};
  for (const [k, v] of Object.entries(ref.params)) dict[k] = await torchEntry(v);
  if (withFeedback) {
    for (const [k, v] of Object.entries(ref.faFeedback))
      dict[k.replace(/\.weight$/, '.fixed')] = await torchEntry(v);
  }
  return dict;
}

/** Worst gradient error per backend, printed at the end (the report's numbers). */
const worstGrad: Record<string, number> = {};

function tinyModel(rule: string): tfl.LayersModel {
  return buildModel({
    arch: 'resnet18',
    rule,
    lastRule: 'bp',
    width: 4,
    inputChannels: 1,
    classes: 3,
    inputSize: 8,
    stem: 'small',
    seed: 7,
  });
}

for (const backend of ['cpu', 'wasm', 'webgpu']) {
  const skip = backend === 'webgpu' ? webgpuSkip : null;
  const title = `width-4 ResNet-18 against PyTorch float64 (${backend})${skip ? ` (skipped: ${skip})` : ''}`;
  describe.skipIf(skip !== null)(title, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
    });

    for (const rule of ['bp', 'ss', 'fa'] as const) {
      it(`'${rule}': logits, loss, every gradient and the BN running statistics`, async () => {
        const expected = ref.rules[rule];
        const model = tinyModel(rule);
        const report = loadPytorchStateDict(model, await referenceStateDict(rule === 'fa'));
        expect(report.missing).toEqual([]);
        expect(report.loaded.length).toBe(Object.keys(ref.params).length + (rule === 'fa' ? 20 : 0));

        // The fa feedback really sits in the layers' feedback state.
        if (rule === 'fa') {
          const conv = model.getLayer('layers.2.down.0') as AsymmetricConv2D;
          const fb = await conv.feedbackState!.stateWeights.feedback.read().data();
          expect(relativeError(fb, ref.faFeedback['layers.2.down.0.weight'].data)).toBeLessThan(1e-7);
          expect((model.getLayer('fc') as AsymmetricDense).feedbackState!.stateWeights).toEqual({});
        }

        const x = tf.tensor(ref.input.data, ref.input.shape, 'float32');
        const y = tf.oneHot(tf.tensor1d(ref.labels, 'int32'), 3);
        const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
        let logitsTensor: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const out = model.apply(x, { training: true }) as tf.Tensor;
          logitsTensor = tf.keep(out);
          return tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
        }, params);

        expect(relativeError(await logitsTensor!.data(), expected.logits)).toBeLessThan(1e-5);
        expect(Math.abs((await value.data())[0] - expected.loss) / expected.loss).toBeLessThan(1e-5);

        const seen = new Set<string>();
        for (const layer of model.layers) {
          for (const w of layer.trainableWeights) {
            const key = pytorchName(layer.name, w);
            seen.add(key);
            const grad = grads[(w.read() as tf.Variable).name];
            expect(grad, key).toBeDefined();
            const want = expected.grads[key];
            expect(grad.shape, key).toEqual(want.shape);
            const err = relativeError(await grad.data(), want.data);
            worstGrad[backend] = Math.max(worstGrad[backend] ?? 0, err);
            expect(err, `${rule} ${key}: relative error ${err}`).toBeLessThanOrEqual(1e-4);
          }
          for (const w of layer.nonTrainableWeights) {
            const key = pytorchName(layer.name, w);
            const want = expected.bnRunningAfterForward[key];
            if (!want) continue;
            seen.add(key);
            // Tighter than the gradients: float32 gets ~2e-6 here, the biased variance would give 1.6e-4.
            expect(relativeError(await w.read().data(), want), key).toBeLessThanOrEqual(2e-5);
          }
        }
        expect([...seen].sort()).toEqual(
          [...Object.keys(expected.grads), ...Object.keys(expected.bnRunningAfterForward)].sort(),
        );
        // The rules differ from backprop only in the hidden layers' input gradients: same logits, other grads.
        if (rule !== 'bp') {
          const stem = ref.rules.bp.grads['stem.0.weight'].data;
          expect(relativeError(expected.grads['stem.0.weight'].data, stem)).toBeGreaterThan(1e-2);
        }
        tf.dispose([x, y, value, logitsTensor!, ...Object.values(grads)]);
        model.dispose();
      });
    }

    it('layout conversion round-trips conv and dense tensors', async () => {
      const conv = tf.randomNormal([3, 2, 4, 5]);
      const back = fromPytorchLayout(toPytorchLayout(conv));
      expect(toPytorchLayout(conv).shape).toEqual([5, 4, 3, 2]);
      expect(Array.from(await back.data())).toEqual(Array.from(await conv.data()));
      const dense = tf.randomNormal([6, 3]);
      expect(toPytorchLayout(dense).shape).toEqual([3, 6]);
      tf.dispose([conv, back, dense]);
    });
  });
}

afterAll(() => {
  const worst = Object.entries(worstGrad).map(([b, e]) => `${b} ${e.toExponential(2)}`);
  console.log(`worst gradient relative error against PyTorch float64: ${worst.join(', ')}`);
});
