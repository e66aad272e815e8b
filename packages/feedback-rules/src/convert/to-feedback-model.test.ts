import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AsymmetricConv2D } from '../layers/asymmetric-conv2d-layer';
import { AsymmetricDense } from '../layers/asymmetric-dense-layer';
import { layerFeedback } from '../layers/layer-feedback';
import { setConvGradientPlan } from '../ops/backend-plan';
import { SGD } from '../optim/sgd';
import { relativeError } from '../testing/reference';
import { toFeedbackModel } from './to-feedback-model';

type ST = tfl.SymbolicTensor;

/** conv 'same' stride 2 on an even input (tfjs pads 0 above, 1 below), conv 'valid', dense. */
function smallCnn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        name: 'conv1',
        inputShape: [8, 8, 2],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: 1 }),
        biasInitializer: tfl.initializers.randomNormal({ seed: 2 }),
      }),
      tfl.layers.conv2d({
        name: 'conv2',
        filters: 6,
        kernelSize: 3,
        padding: 'valid',
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
        biasInitializer: tfl.initializers.randomNormal({ seed: 4 }),
        kernelRegularizer: tfl.regularizers.l2({ l2: 1e-3 }),
      }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({
        name: 'fc',
        units: 3,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }),
        biasInitializer: tfl.initializers.randomNormal({ seed: 6 }),
      }),
    ],
  });
}

/** A residual block: b = conv(a), a + b, a strided 'same' conv, global pooling, dense. */
function skipModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3], name: 'image' });
  const conv = (
    name: string,
    filters: number,
    strides: number,
    activation: 'relu' | 'linear',
    seed: number,
  ) =>
    tfl.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      strides,
      padding: 'same',
      activation,
      kernelInitializer: tfl.initializers.heNormal({ seed }),
      biasInitializer: tfl.initializers.randomNormal({ seed: seed + 100, stddev: 0.1 }),
    });
  const a = conv('convA', 4, 1, 'relu', 1).apply(input) as ST;
  const b = conv('convB', 4, 1, 'relu', 2).apply(a) as ST;
  const sum = tfl.layers.add({ name: 'skip' }).apply([a, b]) as ST;
  const c = conv('convC', 5, 2, 'linear', 3).apply(sum) as ST;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(c) as ST;
  const out = tfl.layers
    .dense({ name: 'fc', units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) })
    .apply(pooled) as ST;
  return tfl.model({ inputs: input, outputs: out, name: 'skip-model' });
}

interface Measured {
  y: Float32Array;
  dx: Float32Array;
  /** Gradients of the trainable weights, in the model's order. */
  dw: Float32Array[];
}

/** Outputs, input gradient and weight gradients of `sum(model(x) * dy)` on the active backend. */
function measure(model: tfl.LayersModel, x: tf.Tensor, dy: tf.Tensor): Measured {
  return tf.tidy(() => {
    const loss = (input: tf.Tensor) =>
      tf.sum(tf.mul(model.apply(input, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
    const y = (model.apply(x, { training: true }) as tf.Tensor).dataSync() as Float32Array;
    const dx = tf.grad(loss)(x).dataSync() as Float32Array;
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => loss(x), vars);
    return { y, dx, dw: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function compare(actual: Measured, expected: Measured) {
  return {
    y: { abs: maxAbsDiff(actual.y, expected.y), rel: relativeError(actual.y, expected.y) },
    dx: { abs: maxAbsDiff(actual.dx, expected.dx), rel: relativeError(actual.dx, expected.dx) },
    dw: {
      abs: Math.max(...actual.dw.map((g, i) => maxAbsDiff(g, expected.dw[i]))),
      rel: Math.max(...actual.dw.map((g, i) => relativeError(g, expected.dw[i]))),
    },
  };
}

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // Through JSON text, as a file would be.
  const parsed = JSON.parse(JSON.stringify({ ...saved, weightData: undefined })) as tf.io.ModelArtifacts;
  parsed.weightData = saved!.weightData;
  return tfl.loadLayersModel(tf.io.fromMemory(parsed));
}

const models: [string, () => tfl.LayersModel, number[]][] = [
  ['small CNN (conv same/2, conv valid, dense)', smallCnn, [2, 8, 8, 2]],
  ['functional model with a skip connection', skipModel, [2, 8, 8, 3]],
];

/** The per-layer feedback B the converted model uses, read from the layer (fa) or made from W (ss, bp). */
function feedbackOf(model: tfl.LayersModel, name: string, rule: string): tf.Tensor {
  const layer = model.getLayer(name) as AsymmetricConv2D | AsymmetricDense;
  const w = layer.kernel!.read();
  if (rule === 'bp') return w;
  if (rule === 'fa') return layer.feedbackState!.stateWeights.feedback.read();
  // ss: sign(W) * s with the paper's s, computed here rather than taken from the layer.
  const shape = w.shape as number[];
  const s = shape.length === 4 ? Math.sqrt(2 / (shape[0] * shape[1] * shape[3])) : 1 / Math.sqrt(shape[0]);
  return tf.mul(tf.sign(w), s);
}

const step = (t: tf.Tensor) => tf.cast(tf.greater(t, 0), 'float32');

/** dL/dx of the small CNN by hand: tfjs's transposed convolution with B in place of W, layer by layer. */
function cnnInputGradByHand(
  original: tfl.LayersModel,
  converted: tfl.LayersModel,
  rule: string,
  x: tf.Tensor,
  dy: tf.Tensor,
) {
  return tf.tidy(() => {
    const taps = tfl.model({
      inputs: original.inputs,
      outputs: [original.getLayer('conv1').output as ST, original.getLayer('conv2').output as ST],
    });
    const [y1, y2] = taps.predict(x) as tf.Tensor4D[];
    const B = (name: string) => feedbackOf(converted, name, rule);
    const dFlat = tf.matMul(dy as tf.Tensor2D, feedbackOf(converted, 'fc', 'bp') as tf.Tensor2D, false, true);
    const d2 = tf.mul(tf.reshape(dFlat, y2.shape), step(y2)) as tf.Tensor4D;
    const d1 = tf.mul(
      tf.conv2dTranspose(d2, B('conv2') as tf.Tensor4D, y1.shape, 1, 'valid'),
      step(y1),
    ) as tf.Tensor4D;
    return tf
      .conv2dTranspose(d1, B('conv1') as tf.Tensor4D, x.shape as [number, number, number, number], 2, 'same')
      .dataSync();
  });
}

/** dL/dx of the skip model by hand, the skip connection adding both paths' errors. */
function skipInputGradByHand(
  original: tfl.LayersModel,
  converted: tfl.LayersModel,
  rule: string,
  x: tf.Tensor,
  dy: tf.Tensor,
) {
  return tf.tidy(() => {
    const names = ['convA', 'convB', 'skip', 'convC'];
    const taps = tfl.model({
      inputs: original.inputs,
      outputs: names.map((n) => original.getLayer(n).output as ST),
    });
    const [a, b, sum, c] = taps.predict(x) as tf.Tensor4D[];
    const B = (name: string) => feedbackOf(converted, name, rule) as tf.Tensor4D;
    const dPooled = tf.matMul(
      dy as tf.Tensor2D,
      feedbackOf(converted, 'fc', 'bp') as tf.Tensor2D,
      false,
      true,
    );
    const dc = tf.mul(
      tf.ones(c.shape),
      tf.div(tf.reshape(dPooled, [c.shape[0], 1, 1, c.shape[3]]), c.shape[1] * c.shape[2]),
    ) as tf.Tensor4D;
    const dSum = tf.conv2dTranspose(dc, B('convC'), sum.shape, 2, 'same');
    const db = tf.mul(dSum, step(b)) as tf.Tensor4D;
    const da = tf.mul(
      tf.add(dSum, tf.conv2dTranspose(db, B('convB'), a.shape, 1, 'same')),
      step(a),
    ) as tf.Tensor4D;
    return tf
      .conv2dTranspose(da, B('convA'), x.shape as [number, number, number, number], 1, 'same')
      .dataSync();
  });
}

const byHand: Record<string, typeof cnnInputGradByHand> = {
  [models[0][0]]: cnnInputGradByHand,
  [models[1][0]]: skipInputGradByHand,
};

afterEach(() => setConvGradientPlan('cpu', undefined));
afterAll(() => tf.setBackend('cpu'));

describe('toFeedbackModel: bp is the original model', () => {
  for (const [label, make, inputShape] of models) {
    it(`${label}: cpu, outputs and gradients bit-identical`, async () => {
      await tf.setBackend('cpu');
      const original = make();
      const { model, converted } = toFeedbackModel(original, 'bp', { seed: 1 });
      expect(converted.every((c) => c.rule === 'bp')).toBe(true);
      const x = tf.randomNormal(inputShape, 0, 1, 'float32', 11);
      const dy = tf.randomNormal([inputShape[0], 3], 0, 1, 'float32', 12);
      const expected = measure(original, x, dy);
      // The kernels tfjs autodiff uses: exactly the same numbers.
      setConvGradientPlan('cpu', { input: 'native', filter: 'native' });
      const native = compare(measure(model, x, dy), expected);
      console.log(`${label}, cpu native kernels: max |diff|`, native);
      expect(native.y.abs).toBe(0);
      expect(native.dx.abs).toBe(0);
      expect(native.dw.abs).toBe(0);
      // The package's default on cpu (forward-conv compositions): the same up to float32 rounding.
      setConvGradientPlan('cpu', undefined);
      const composed = compare(measure(model, x, dy), expected);
      console.log(`${label}, cpu default plan: max |diff| and relative`, composed);
      expect(composed.y.abs).toBe(0);
      expect(composed.dx.rel).toBeLessThan(1e-6);
      expect(composed.dw.rel).toBeLessThan(1e-6);
    });

    it(`${label}: wasm, outputs and gradients within 1e-6 of the original's`, async () => {
      await tf.setBackend('cpu');
      const original = make();
      const { model } = toFeedbackModel(original, 'bp', { seed: 1 });
      const x = tf.randomNormal(inputShape, 0, 1, 'float32', 11);
      const dy = tf.randomNormal([inputShape[0], 3], 0, 1, 'float32', 12);
      // tfjs's own wasm backend has no Conv2DBackpropFilter: the original's gradients come from cpu.
      const expected = measure(original, x, dy);
      expect(await tf.setBackend('wasm')).toBe(true);
      const wasmOriginalY = (original.predict(x) as tf.Tensor).dataSync();
      const onWasm = measure(model, x, dy);
      const got = compare(onWasm, expected);
      const yVsWasm = relativeError(onWasm.y, wasmOriginalY);
      console.log(
        `${label}, wasm vs the original on cpu: max |diff| and relative`,
        got,
        'y vs the original on wasm',
        yVsWasm,
      );
      expect(yVsWasm).toBeLessThan(1e-6);
      expect(got.y.rel).toBeLessThan(1e-6);
      expect(got.dx.rel).toBeLessThan(1e-6);
      expect(got.dw.rel).toBeLessThan(1e-6);
      await tf.setBackend('cpu');
    });
  }
});

for (const backend of ['cpu', 'wasm']) {
  describe(`toFeedbackModel: ss and fa send errors back through B (${backend})`, () => {
    for (const [label, make, inputShape] of models) {
      for (const rule of ['ss', 'fa']) {
        it(`${label}, ${rule}: input gradient is the transposed convolutions with B`, async () => {
          await tf.setBackend('cpu');
          const original = make();
          const { model, converted } = toFeedbackModel(original, rule, { seed: 7 });
          expect(converted.filter((c) => c.last).map((c) => [c.path, c.rule])).toEqual([['fc', 'bp']]);
          const x = tf.randomNormal(inputShape, 0, 1, 'float32', 21);
          const dy = tf.randomNormal([inputShape[0], 3], 0, 1, 'float32', 22);
          // Backprop's numbers from cpu: tfjs's own conv layers cannot compute filter gradients on wasm.
          const bp = measure(original, x, dy);
          expect(await tf.setBackend(backend)).toBe(true);
          const got = measure(model, x, dy);
          const hand = byHand[label](original, model, rule, x, dy);
          const err = relativeError(got.dx, hand);
          console.log(`${label}, ${rule} on ${backend}: dx vs the formula, relative`, err);
          expect(err).toBeLessThan(1e-6);
          // The rule changes dx, not the forward pass.
          expect(relativeError(got.y, bp.y)).toBeLessThan(1e-6);
          expect(relativeError(got.dx, bp.dx)).toBeGreaterThan(0.05);
        });
      }
    }
  });
}

describe('toFeedbackModel: layers, configuration, save and load', () => {
  it('keeps every setting of the tfjs layers', async () => {
    await tf.setBackend('cpu');
    const original = smallCnn();
    const before = tf.memory().numTensors;
    const { model } = toFeedbackModel(original, 'fa');
    // No tensor is left behind: the new model's variables are all the conversion adds.
    expect(tf.memory().numTensors - before).toBe(model.weights.length);
    const conv2 = model.getLayer('conv2') as AsymmetricConv2D;
    expect(conv2).toBeInstanceOf(AsymmetricConv2D);
    expect([conv2.kernelSize, conv2.strides, conv2.pad, conv2.filters, conv2.useBias]).toEqual([
      3,
      1,
      'valid',
      6,
      true,
    ]);
    expect((model.getLayer('conv1') as AsymmetricConv2D).pad).toBe('same');
    const oc = original.getLayer('conv2').getConfig();
    expect(conv2.getConfig()).toMatchObject({
      activation: oc.activation,
      kernelInitializer: oc.kernelInitializer,
      biasInitializer: oc.biasInitializer,
      kernelRegularizer: oc.kernelRegularizer,
    });
    // The L2 penalty is a loss of the converted model too.
    const penalty = (m: tfl.LayersModel) =>
      m
        .getLayer('conv2')
        .calculateLosses()
        .map((l) => l.dataSync()[0]);
    expect(penalty(model)).toEqual(penalty(original));
    expect(penalty(model)).toHaveLength(1);
    expect(model.getLayer('fc')).toBeInstanceOf(AsymmetricDense);
    // The same weights under the same names, bit for bit; fa adds its feedback as non-trainable state.
    const values = (ws: tfl.LayerVariable[]) =>
      ws.map((w) => [w.originalName, Array.from(w.read().dataSync())]);
    expect(values(model.trainableWeights)).toEqual(values(original.trainableWeights));
    expect(model.nonTrainableWeights.map((w) => w.originalName)).toEqual([
      'conv1/feedback',
      'conv2/feedback',
    ]);
  });

  for (const rule of ['ss', 'fa', 'fa-signed-init', 'frsf']) {
    it(`'${rule}': saves and loads with its rule and feedback state, bit for bit`, async () => {
      await tf.setBackend('cpu');
      const { model } = toFeedbackModel(skipModel(), rule, { seed: 3 });
      const loaded = await roundTrip(model);
      for (const name of ['convA', 'convB', 'convC', 'fc']) {
        const a = layerFeedback(model.getLayer(name))!;
        const b = layerFeedback(loaded.getLayer(name))!;
        expect(b.rule.name).toBe(a.rule.name);
        expect(b.rule.name).toBe(name === 'fc' ? 'bp' : rule);
        for (const [key, w] of Object.entries(a.stateWeights)) {
          expect(Array.from(b.stateWeights[key].read().dataSync())).toEqual(Array.from(w.read().dataSync()));
        }
      }
      if (rule === 'fa-signed-init') {
        // The signs are those of the copied weights, not of the zero-filled kernel of the build.
        const layer = model.getLayer('convA') as AsymmetricConv2D;
        const w = layer.kernel!.read().dataSync();
        const b = layer.feedbackState!.stateWeights.feedback.read().dataSync();
        w.forEach((v, i) => expect(Math.sign(b[i])).toBe(Math.sign(v)));
      }
      const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 5);
      const dy = tf.randomNormal([2, 3], 0, 1, 'float32', 6);
      const before = measure(model, x, dy);
      const after = measure(loaded, x, dy);
      expect(Array.from(after.y)).toEqual(Array.from(before.y));
      expect(Array.from(after.dx)).toEqual(Array.from(before.dx));
    });
  }

  it("trains with the package's SGD (as BioProp's trainer does) without leaking tensors", async () => {
    await tf.setBackend('cpu');
    const { model } = toFeedbackModel(skipModel(), 'ss', { seed: 2 });
    const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const sgd = new SGD([{ name: 'all', params, lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }]);
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const trainStep = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        params,
      );
      sgd.step(grads);
      tf.dispose(grads);
      const loss = value.dataSync()[0];
      value.dispose();
      return loss;
    };
    const first = trainStep();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 20; i++) last = trainStep();
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first / 2);
  });

  it('nested models and shared layers: one converted layer per original, same outputs', async () => {
    await tf.setBackend('cpu');
    const block = tfl.sequential({
      name: 'block',
      layers: [
        tfl.layers.conv2d({
          inputShape: [6, 6, 2],
          filters: 3,
          kernelSize: 3,
          padding: 'same',
          name: 'inner',
          activation: 'relu',
        }),
        tfl.layers.flatten({ name: 'flat' }),
      ],
    });
    const input = tfl.input({ shape: [6, 6, 2], name: 'x' });
    const features = block.apply(input) as ST;
    const shared = tfl.layers.dense({ units: 4, name: 'shared', activation: 'tanh' });
    const left = shared.apply(features) as ST;
    const right = shared.apply(tfl.layers.dense({ units: 108, name: 'mix' }).apply(features) as ST) as ST;
    const both = tfl.layers.concatenate({ name: 'cat' }).apply([left, right]) as ST;
    const head = tfl.layers.dense({ units: 2, name: 'head' }).apply(both) as ST;
    const original = tfl.model({ inputs: input, outputs: head, name: 'outer' });

    const { model, converted } = toFeedbackModel(original, 'ss', { seed: 1 });
    expect(Object.fromEntries(converted.map((c) => [c.path, c.rule]))).toEqual({
      'block/inner': 'ss',
      shared: 'ss',
      mix: 'ss',
      head: 'bp',
    });
    const newShared = model.getLayer('shared');
    expect(newShared).toBeInstanceOf(AsymmetricDense);
    expect(newShared.inboundNodes).toHaveLength(2);
    expect((model.getLayer('block') as tfl.LayersModel).getLayer('inner')).toBeInstanceOf(AsymmetricConv2D);
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 1);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((original.predict(x) as tf.Tensor).dataSync()),
    );
    // The original model is untouched and independent: training the copy leaves it as it was.
    const before = original.getWeights().map((w) => Array.from(w.dataSync()));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await model.fit(x, tf.ones([3, 2]), { epochs: 2, verbose: 0 });
    expect(original.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });

  it('the last layer of each output keeps lastLayerRule; layers chosen by name or predicate', async () => {
    await tf.setBackend('cpu');
    const input = tfl.input({ shape: [4] });
    const h = tfl.layers.dense({ units: 5, name: 'h', activation: 'relu' }).apply(input) as ST;
    const a = tfl.layers.dense({ units: 2, name: 'a' }).apply(h) as ST;
    const b = tfl.layers
      .softmax({ name: 'sm' })
      .apply(tfl.layers.dense({ units: 3, name: 'b' }).apply(h) as ST) as ST;
    const original = tfl.model({ inputs: input, outputs: [a, b] });
    const rules = (r: ReturnType<typeof toFeedbackModel>) =>
      Object.fromEntries(r.converted.map((c) => [c.path, c.rule]));
    expect(rules(toFeedbackModel(original, 'fa'))).toEqual({ h: 'fa', a: 'bp', b: 'bp' });
    expect(rules(toFeedbackModel(original, 'fa', { lastLayerRule: 'ss' }))).toEqual({
      h: 'fa',
      a: 'ss',
      b: 'ss',
    });
    const byName = toFeedbackModel(original, 'ss', { layers: ['h', 'b'] });
    expect(rules(byName)).toEqual({ h: 'ss', b: 'bp' });
    expect(byName.kept).toEqual([{ path: 'a', className: 'Dense', reason: 'not selected' }]);
    expect(byName.model.getLayer('a').getClassName()).toBe('Dense');
    const byPredicate = toFeedbackModel(original, 'ss', { layers: (layer) => layer.name !== 'h' });
    expect(rules(byPredicate)).toEqual({ a: 'bp', b: 'bp' });
    expect(() => toFeedbackModel(original, 'ss', { layers: ['nope'] })).toThrow(/no layer named 'nope'/);
    expect(() => toFeedbackModel(original, 'ss', { layers: ['sm'] })).toThrow(
      /'sm' \(Softmax\) has no weights/,
    );
    expect(() => toFeedbackModel(original, 'nope')).toThrow(/unknown learning rule 'nope'/);
    // The rule's options: a feedback scale per layer.
    const scaled = toFeedbackModel(original, 'ss', { feedbackScale: (l) => (l.kind === 'dense' ? 0.5 : 1) });
    expect(layerFeedback(scaled.model.getLayer('h'))!.ctx.scale).toBe(0.5);
  });

  it('layers it cannot convert: one clear error, or kept as they are and listed', async () => {
    await tf.setBackend('cpu');
    const original = tfl.sequential({
      layers: [
        tfl.layers.depthwiseConv2d({ inputShape: [8, 8, 2], kernelSize: 3, name: 'depthwise' }),
        tfl.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, name: 'dilated' }),
        tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, name: 'up' }),
        tfl.layers.conv2d({ filters: 2, kernelSize: [1, 3], padding: 'same', name: 'wide' }),
        tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'plain' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, name: 'fc' }),
      ],
    });
    let message = '';
    try {
      toFeedbackModel(original, 'ss');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('cannot convert 4 layer(s)');
    expect(message).toContain('depthwise (DepthwiseConv2D): depthwise convolutions have no asymmetric layer');
    expect(message).toContain('dilated (Conv2D): dilated (dilationRate [2,2]) convolutions are not');
    expect(message).toContain('up (Conv2DTranspose)');
    expect(message).toContain('wide (Conv2D): kernel 1x3 is not square');
    expect(message).toContain("{ unsupported: 'keep' }");

    const { model, converted, kept } = toFeedbackModel(original, 'ss', { unsupported: 'keep' });
    expect(converted.map((c) => c.path)).toEqual(['plain', 'fc']);
    expect(kept.map((k) => k.path)).toEqual(['depthwise', 'dilated', 'up', 'wide']);
    expect(model.getLayer('up').getClassName()).toBe('Conv2DTranspose');
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 3);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((original.predict(x) as tf.Tensor).dataSync()),
    );
  });

  it('a Dense on rank-3 inputs multiplies along the last axis, as tfjs', async () => {
    await tf.setBackend('cpu');
    const original = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [5, 4], units: 3, name: 'tokens', activation: 'relu' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const { model } = toFeedbackModel(original, 'bp');
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 1);
    const dy = tf.randomNormal([2, 2], 0, 1, 'float32', 2);
    const got = compare(measure(model, x, dy), measure(original, x, dy));
    expect([got.y.abs, got.dx.abs, got.dw.abs]).toEqual([0, 0, 0]);
  });
});
