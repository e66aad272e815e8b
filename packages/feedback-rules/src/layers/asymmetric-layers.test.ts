import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { feedbackScale } from '../ops/feedback-scale';
import { SGD } from '../optim/sgd';
import { ruleNames } from '../rules/rule-registry';
import { AsymmetricConv2D } from './asymmetric-conv2d-layer';
import { AsymmetricDense } from './asymmetric-dense-layer';

function smallModel(rule: string, seed = 3): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 2] });
  let h = new AsymmetricConv2D({
    name: 'conv1',
    filters: 4,
    kernelSize: 3,
    strides: 2,
    pad: 1,
    rule,
    seed,
  }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const out = new AsymmetricDense({ name: 'fc', units: 3, rule, seed: seed + 10 }).apply(
    h,
  ) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // Through JSON text, as a file on disk would be.
  const text = JSON.stringify({ ...saved, weightData: undefined });
  const parsed = JSON.parse(text) as tf.io.ModelArtifacts;
  parsed.weightData = saved!.weightData;
  return tfl.loadLayersModel(tf.io.fromMemory(parsed));
}

const stateNames: Record<string, string[]> = {
  bp: [],
  ss: [],
  fa: ['feedback'],
  frsf: ['magnitude'],
  brsf: [],
  'fa-signed-init': ['feedback'],
  kp: ['feedback', 'feedbackMomentum'],
  wm: ['feedback'],
};

describe('layer classes', () => {
  for (const rule of ruleNames()) {
    it(`'${rule}': save and load keeps outputs and feedback state`, async () => {
      const model = smallModel(rule);
      const conv = model.getLayer('conv1') as AsymmetricConv2D;
      expect(conv.nonTrainableWeights.map((w) => w.originalName)).toEqual(
        stateNames[rule].map((n) => `conv1/${n}`),
      );
      const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 5);
      const loaded = await roundTrip(model);
      const lconv = loaded.getLayer('conv1') as AsymmetricConv2D;
      expect(lconv).toBeInstanceOf(AsymmetricConv2D);
      expect(lconv.ruleName).toBe(rule);
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(
        Array.from((model.predict(x) as tf.Tensor).dataSync()),
      );
      model.weights.forEach((w, i) => {
        expect(loaded.weights[i].originalName).toBe(w.originalName);
        expect(Array.from(loaded.weights[i].read().dataSync())).toEqual(Array.from(w.read().dataSync()));
      });
    });
  }

  it('state follows the rule definitions', () => {
    const model = smallModel('fa');
    const conv = model.getLayer('conv1') as AsymmetricConv2D;
    const s = feedbackScale('conv2d', [3, 3, 2, 4]);
    const fb = conv.feedbackState!.stateWeights.feedback.read().dataSync();
    const std = Math.sqrt(Array.from(fb).reduce((a, v) => a + v * v, 0) / fb.length);
    expect(std).toBeGreaterThan(0.5 * s);
    expect(std).toBeLessThan(1.5 * s);
    const fc = model.getLayer('fc') as AsymmetricDense;
    const sd = feedbackScale('dense', [64, 3]);
    const fbd = fc.feedbackState!.stateWeights.feedback.read().dataSync();
    expect(Math.max(...fbd.map(Math.abs))).toBeLessThanOrEqual(sd);

    const signed = smallModel('fa-signed-init').getLayer('conv1') as AsymmetricConv2D;
    const w0 = signed.kernel!.read().dataSync();
    const b0 = signed.feedbackState!.stateWeights.feedback.read().dataSync();
    w0.forEach((v, i) => expect(b0[i]).toBeCloseTo(Math.sign(v) * s, 6));
    // Fixed: the kernel changes, the feedback does not.
    signed.kernel!.write(tf.neg(signed.kernel!.read()));
    const b1 = signed.feedbackState!.feedback(signed.kernel!.read(), true).dataSync();
    expect(Array.from(b1)).toEqual(Array.from(b0));

    const ss = smallModel('ss').getLayer('conv1') as AsymmetricConv2D;
    const wss = ss.kernel!.read();
    const bss = ss.feedbackState!.feedback(wss, true).dataSync();
    wss.dataSync().forEach((v, i) => expect(bss[i]).toBeCloseTo(Math.sign(v) * s, 6));

    const fr = smallModel('frsf').getLayer('conv1') as AsymmetricConv2D;
    const mag = fr.feedbackState!.stateWeights.magnitude.read().dataSync();
    const bfr = fr.feedbackState!.feedback(fr.kernel!.read(), true).dataSync();
    fr.kernel!.read()
      .dataSync()
      .forEach((v, i) => expect(bfr[i]).toBeCloseTo(Math.sign(v) * mag[i], 6));
  });

  it('brsf redraws magnitudes every training batch, reproducibly', () => {
    const a = smallModel('brsf', 9).getLayer('conv1') as AsymmetricConv2D;
    const b = smallModel('brsf', 9).getLayer('conv1') as AsymmetricConv2D;
    const k = a.kernel!.read();
    const a1 = a.feedbackState!.feedback(k, true).dataSync();
    const a2 = a.feedbackState!.feedback(k, true).dataSync();
    const b1 = b.feedbackState!.feedback(b.kernel!.read(), true).dataSync();
    expect(Array.from(a1)).not.toEqual(Array.from(a2));
    expect(Array.from(a1)).toEqual(Array.from(b1));
    k.dataSync().forEach((v, i) => expect(Math.sign(a2[i])).toBe(Math.sign(v)));
  });

  it('kernel init is N(0, sqrt(2 / (kh*kw*out))) and fixed by the seed', () => {
    const mk = (seed: number) => {
      const l = new AsymmetricConv2D({ filters: 64, kernelSize: 3, pad: 1, seed });
      l.build([null, 8, 8, 32]);
      return l.kernel!.read().dataSync();
    };
    const w = mk(1);
    const std = Math.sqrt(Array.from(w).reduce((a, v) => a + v * v, 0) / w.length);
    expect(std / Math.sqrt(2 / (9 * 64))).toBeCloseTo(1, 1);
    expect(Array.from(mk(1))).toEqual(Array.from(w));
    expect(Array.from(mk(2))).not.toEqual(Array.from(w));
  });

  it("kernelInit sets the draw and the rule's feedback scale (torchvision's FPN and heads), biasInit the bias", async () => {
    const stats = (init: 'fan-in-uniform' | { stddev: number }) => {
      const l = new AsymmetricConv2D({
        filters: 64,
        kernelSize: 3,
        pad: 1,
        seed: 4,
        kernelInit: init,
        useBias: true,
        biasInit: -4.59511985,
        rule: 'fa',
      });
      l.build([null, 8, 8, 32]);
      const w = Array.from(l.kernel!.read().dataSync());
      const b = Array.from(l.feedbackState!.stateWeights.feedback.read().dataSync());
      const std = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
      return {
        l,
        w,
        max: Math.max(...w.map(Math.abs)),
        std: std(w),
        feedbackStd: std(b),
        bias: l.bias!.read().dataSync(),
      };
    };
    const fanIn = 9 * 32;
    const u = stats('fan-in-uniform');
    expect(u.l.feedbackState!.ctx.scale).toBeCloseTo(1 / Math.sqrt(fanIn), 12);
    expect(u.max).toBeLessThanOrEqual(Math.sqrt(3 / fanIn));
    expect(u.max).toBeGreaterThan(0.99 * Math.sqrt(3 / fanIn)); // 18k draws reach the bound
    expect(u.std * Math.sqrt(fanIn)).toBeCloseTo(1, 1);
    expect(u.feedbackStd * Math.sqrt(fanIn)).toBeCloseTo(1, 1); // fa: B ~ N(0, s), s = std of W
    const n = stats({ stddev: 0.01 });
    expect(n.l.feedbackState!.ctx.scale).toBe(0.01);
    expect(n.std / 0.01).toBeCloseTo(1, 1);
    expect(n.feedbackStd / 0.01).toBeCloseTo(1, 1);
    expect(Array.from(n.bias).every((v) => Math.abs(v + 4.59511985) < 1e-6)).toBe(true);
    // The settings travel with the layer's config, so a saved model rebuilds the same layer.
    const config = n.l.getConfig();
    expect(config).toMatchObject({ kernelInit: { stddev: 0.01 }, biasInit: -4.59511985 });
    expect(
      () => new AsymmetricConv2D({ name: 'c', filters: 1, kernelSize: 1, kernelInit: { stddev: 0 } }),
    ).toThrow(
      "AsymmetricConv2D 'c': kernelInit must be 'he-normal', 'fan-in-uniform' or { stddev > 0 }, got {\"stddev\":0}",
    );
  });

  it("tfjs's options: activation, initializers, padding modes; conflicting options are errors", () => {
    const conv = new AsymmetricConv2D({
      name: 'c',
      filters: 3,
      kernelSize: 3,
      strides: 2,
      pad: 'same',
      useBias: true,
      activation: 'relu',
      kernelInitializer: 'ones',
      biasInitializer: tfl.initializers.constant({ value: -1 }),
      feedbackScale: 0.25,
    });
    const y = conv.apply(tf.ones([1, 8, 7, 2])) as tf.Tensor;
    // 'same' at stride 2: ceil(8 / 2) x ceil(7 / 2); all-ones kernel and input, bias -1, relu.
    expect(y.shape).toEqual([1, 4, 4, 3]);
    expect(conv.computeOutputShape([null, 8, 7, 2])).toEqual([null, 4, 4, 3]);
    expect(Math.max(...y.dataSync())).toBe(3 * 3 * 2 - 1);
    expect(conv.feedbackState!.ctx.scale).toBe(0.25);
    expect(conv.getConfig()).toMatchObject({
      pad: 'same',
      activation: 'relu',
      kernelInitializer: { className: 'Ones' },
      biasInitializer: { className: 'Constant', config: { value: -1 } },
      feedbackScale: 0.25,
    });
    expect(conv.getConfig()).not.toHaveProperty('kernelInit');
    const explicit = new AsymmetricConv2D({
      filters: 1,
      kernelSize: 3,
      pad: [
        [0, 2],
        [1, 0],
      ],
    });
    expect(explicit.computeOutputShape([null, 6, 6, 1])).toEqual([null, 6, 5, 1]);
    expect(
      () =>
        new AsymmetricConv2D({
          name: 'k',
          filters: 1,
          kernelSize: 3,
          kernelInit: 'he-normal',
          kernelInitializer: 'ones',
        }),
    ).toThrow("AsymmetricConv2D 'k': give kernelInit or kernelInitializer, not both");
    expect(() => new AsymmetricConv2D({ name: 'p', filters: 1, kernelSize: 3, pad: -1 })).toThrow(
      /'p': pad must be/,
    );
    expect(() => new AsymmetricDense({ name: 'd', units: 2, activation: 'nope' as never })).toThrow(
      /AsymmetricDense 'd': .*nope/,
    );
  });

  it('unknown rule names the layer and lists the known rules', () => {
    const l = new AsymmetricConv2D({ name: 'convX', filters: 2, kernelSize: 3, rule: 'nope' });
    expect(() => l.build([null, 4, 4, 1])).toThrow(
      /layer 'convX': unknown learning rule 'nope' \(known rules: bp, ss, fa/,
    );
  });

  for (const rule of ['bp', 'ss', 'fa']) {
    it(`'${rule}': 100 training steps leave tf.memory().numTensors unchanged`, () => {
      const model = smallModel(rule);
      const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const opt = new SGD([{ name: 'all', params, lr: 0.01, weightDecay: 1e-4 }]);
      const x = tf.randomNormal([4, 8, 8, 2], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      const step = () => {
        const { value, grads } = tf.variableGrads(() => {
          const logits = model.apply(x, { training: true }) as tf.Tensor;
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        }, params);
        opt.step(grads);
        tf.dispose(grads);
        const loss = value.dataSync()[0];
        value.dispose();
        return loss;
      };
      const first = step(); // creates the momentum buffers
      const before = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < 100; i++) last = step();
      expect(tf.memory().numTensors).toBe(before);
      expect(last).toBeLessThan(first);
    });
  }
});
