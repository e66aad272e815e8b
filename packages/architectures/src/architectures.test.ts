import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { AsymmetricConv2D, AsymmetricDense } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { TorchBatchNorm } from './batch-norm';
import { type ArchitectureName, buildModel } from './build-model';
import { countFlops } from './flops';
import { countParameters } from './parameter-count';
import { pytorchName, pytorchShape } from './pytorch-state-dict';

// torchvision's counts; the paper's AlexNet drops the biases before batch norm and adds BN gamma/beta.
// FLOPs: multiply-adds x 2 of torchvision's usual tables (1.81, 3.66, 4.09, 0.71 GMAC).
// Shapes: a few state_dict keys with torchvision's parameter shapes (PyTorch layout).
const cases: {
  arch: ArchitectureName;
  params: number;
  gflops: number;
  convs: number;
  bns: number;
  batch: number;
  shapes: Record<string, number[]>;
}[] = [
  {
    arch: 'resnet18',
    params: 11_689_512,
    gflops: 3.628,
    convs: 20,
    bns: 20,
    batch: 1,
    shapes: {
      'stem.0.weight': [64, 3, 7, 7],
      'layers.6.down.0.weight': [512, 256, 1, 1],
      'fc.weight': [1000, 512],
    },
  },
  {
    arch: 'resnet34',
    params: 21_797_672,
    gflops: 7.328,
    convs: 36,
    bns: 36,
    batch: 1,
    shapes: { 'layers.15.c2.weight': [512, 512, 3, 3], 'layers.7.down.1.running_var': [256] },
  },
  {
    arch: 'resnet50',
    params: 25_557_032,
    gflops: 8.178,
    convs: 53,
    bns: 53,
    batch: 1,
    shapes: {
      'layers.0.down.0.weight': [256, 64, 1, 1],
      'layers.15.c3.weight': [2048, 512, 1, 1],
      'fc.weight': [1000, 2048],
    },
  },
  {
    arch: 'alexnet',
    params: 61_110_184,
    gflops: 1.428,
    convs: 5,
    bns: 7,
    // BatchNorm1d needs two samples per feature in training.
    batch: 2,
    shapes: {
      'features.0.weight': [64, 3, 11, 11],
      'features.1.running_mean': [64],
      'features.14.weight': [256, 256, 3, 3],
      'classifier.0.weight': [4096, 9216],
      'classifier.4.bias': [4096],
      'classifier.6.bias': [1000],
    },
  },
];

/** The value of a scalar computed by `fn`, freeing the tensor. */
function scalarOf(fn: () => tf.Tensor): number {
  const t = tf.tidy(fn);
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

describe('architectures at their real input size (wasm)', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  for (const c of cases) {
    it(`${c.arch}: parameter count, FLOPs, layers, output shape, forward + backward at 224`, () => {
      const model: tfl.LayersModel = buildModel({ arch: c.arch, rule: 'ss', seed: 1 });
      expect(countParameters(model)).toBe(c.params);
      const flops = countFlops(model);
      expect(flops.total / 1e9).toBeCloseTo(c.gflops, 2);
      const convs = model.layers.filter((l) => l instanceof AsymmetricConv2D) as AsymmetricConv2D[];
      const dense = model.layers.filter((l) => l instanceof AsymmetricDense) as AsymmetricDense[];
      expect(convs.length).toBe(c.convs);
      expect(model.layers.filter((l) => l instanceof TorchBatchNorm).length).toBe(c.bns);
      // Hidden layers use the rule, the classifier backprop; every layer has its own seed.
      expect(convs.every((l) => l.ruleName === 'ss' && !l.useBias)).toBe(true);
      expect(dense.map((l) => l.ruleName).slice(-1)).toEqual(['bp']);
      expect(dense.slice(0, -1).every((l) => l.ruleName === 'ss' && !l.useBias)).toBe(true);
      expect(dense.at(-1)!.useBias).toBe(true);
      const seeds = [...convs, ...dense].map((l) => l.seed);
      expect(new Set(seeds).size).toBe(seeds.length);
      const shapes: Record<string, number[]> = {};
      for (const layer of model.layers) {
        for (const w of layer.weights) shapes[pytorchName(layer.name, w)] = pytorchShape(w.shape as number[]);
      }
      for (const [key, shape] of Object.entries(c.shapes)) expect(shapes[key], key).toEqual(shape);
      let summary = '';
      model.summary(200, undefined, (line) => {
        summary += `${line}\n`;
      });
      expect(summary).toContain(`Trainable params: ${c.params}\n`);

      const x = tf.randomNormal([c.batch, 224, 224, 3], 0, 1, 'float32', 3);
      const y = tf.oneHot(tf.tensor1d([1, 998].slice(0, c.batch), 'int32'), 1000);
      const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        expect(logits.shape).toEqual([c.batch, 1000]);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      }, params);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(Object.keys(grads).length).toBe(params.length);
      for (const p of params) {
        const g = grads[p.name];
        expect(g.shape).toEqual(p.shape);
        expect(Number.isFinite(scalarOf(() => tf.sum(tf.abs(g))))).toBe(true);
      }
      // A nonzero gradient reaches the first layer through every block.
      const first = grads[(convs[0].kernel!.read() as tf.Variable).name];
      expect(scalarOf(() => tf.max(tf.abs(first)))).toBeGreaterThan(0);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);

      const inference = model.predict(tf.slice(x, [0, 0, 0, 0], [1, 224, 224, 3])) as tf.Tensor;
      expect(inference.shape).toEqual([1, 1000]);
      tf.dispose([x, y, inference]);
      model.dispose();
    });
  }
});
