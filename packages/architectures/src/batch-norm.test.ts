import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { TorchBatchNorm } from './batch-norm';
import { batchNormTraining } from './batch-norm-training';

/** Per-channel mean and biased / unbiased variance of NHWC or NC data, in float64. */
function channelStats(data: Float32Array, channels: number) {
  const n = data.length / channels;
  const mean = new Float64Array(channels);
  const biased = new Float64Array(channels);
  data.forEach((v, i) => {
    mean[i % channels] += v / n;
  });
  data.forEach((v, i) => {
    biased[i % channels] += (v - mean[i % channels]) ** 2 / n;
  });
  return { mean, biased, unbiased: biased.map((v) => (v * n) / (n - 1)) };
}

function layerOn(
  shape: number[],
  args: ConstructorParameters<typeof TorchBatchNorm>[0] = {},
): TorchBatchNorm {
  const bn = new TorchBatchNorm({ name: 'bn', ...args });
  bn.build(shape.map((d, i) => (i === 0 ? null : d)));
  return bn;
}

describe('TorchBatchNorm', () => {
  for (const shape of [
    [4, 3, 5, 2],
    [6, 3],
  ]) {
    it(`[${shape}]: training normalizes with the biased batch variance and updates running stats (PyTorch)`, () => {
      const c = shape[shape.length - 1];
      const bn = layerOn(shape);
      bn.gamma!.write(tf.tensor1d(c === 2 ? [1.5, 0.5] : [1.5, 0.5, 2]));
      bn.beta!.write(tf.tensor1d(c === 2 ? [0.1, -0.3] : [0.1, -0.3, 0]));
      const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 4), 3), 2);
      const data = x.dataSync() as Float32Array;
      const { mean, biased, unbiased } = channelStats(data, c);
      const gamma = bn.gamma!.read().dataSync();
      const beta = bn.beta!.read().dataSync();
      const y = bn.apply(x, { training: true }) as tf.Tensor;
      const expected = Array.from(data, (v, i) => {
        const k = i % c;
        return ((v - mean[k]) / Math.sqrt(biased[k] + 1e-5)) * gamma[k] + beta[k];
      });
      y.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
      const rm = bn.runningMean!.read().dataSync();
      const rv = bn.runningVar!.read().dataSync();
      for (let k = 0; k < c; k++) {
        expect(rm[k]).toBeCloseTo(0.1 * mean[k], 5);
        expect(rv[k]).toBeCloseTo(0.9 + 0.1 * unbiased[k], 5);
      }
      // A second batch compounds: running = 0.9 * running + 0.1 * batch.
      bn.apply(x, { training: true });
      bn.runningVar!.read()
        .dataSync()
        .forEach((v, k) => expect(v).toBeCloseTo(0.9 * (0.9 + 0.1 * unbiased[k]) + 0.1 * unbiased[k], 5));
      // Inference uses the running statistics and leaves them alone.
      const before = Array.from(bn.runningMean!.read().dataSync());
      const yi = bn.apply(x) as tf.Tensor;
      const rmi = bn.runningMean!.read().dataSync();
      const rvi = bn.runningVar!.read().dataSync();
      yi.dataSync().forEach((v, i) => {
        const k = i % c;
        expect(v).toBeCloseTo(((data[i] - rmi[k]) / Math.sqrt(rvi[k] + 1e-5)) * gamma[k] + beta[k], 4);
      });
      expect(Array.from(rmi)).toEqual(before);
    });

    it(`[${shape}]: closed-form gradients equal autodiff of the textbook formula`, () => {
      const c = shape[shape.length - 1];
      const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 1);
      const beta = tf.randomUniform([c], -0.5, 0.5, 'float32', 2);
      const x = tf.randomNormal(shape, 1, 2, 'float32', 3);
      const w = tf.randomNormal(shape, 0, 1, 'float32', 5);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const ours = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.mul(
            batchNormTraining(xx, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, () => {}),
            w,
          ),
        ),
      )([x, gamma, beta]);
      const textbook = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, axes);
        return tf.sum(
          tf.mul(tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b), w),
        );
      })([x, gamma, beta]);
      ours.forEach((g, i) => {
        const a = g.dataSync();
        const e = textbook[i].dataSync();
        let num = 0;
        let den = 0;
        e.forEach((v, j) => {
          num += (a[j] - v) ** 2;
          den += v * v;
        });
        expect(Math.sqrt(num / den)).toBeLessThan(1e-5);
      });
    });
  }

  it('training steps under a gradient tape leak no tensors; momentum is configurable', () => {
    const input = tfl.input({ shape: [5, 5, 3] });
    const out = new TorchBatchNorm({ name: 'bn', momentum: 0.3 }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomNormal([2, 5, 5, 3], 4, 1, 'float32', 1);
    const step = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        params,
      );
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    const mean = tf.tidy(() => tf.mean(x, [0, 1, 2]).dataSync());
    const rm = (model.getLayer('bn') as TorchBatchNorm).runningMean!.read().dataSync();
    rm.forEach((v, k) => expect(v).toBeCloseTo(mean[k] * (1 - 0.7 ** 6), 4));
  });

  it('refuses training on one value per channel (as PyTorch) but runs inference on it', () => {
    const bn = layerOn([1, 4]);
    expect(() => bn.apply(tf.ones([1, 4]), { training: true })).toThrow(
      /TorchBatchNorm 'bn': training needs more than one value per channel, got input \[1,4\]/,
    );
    expect((bn.apply(tf.ones([1, 4])) as tf.Tensor).shape).toEqual([1, 4]);
    expect(() => new TorchBatchNorm({ eps: 0 })).toThrow(/eps must be > 0/);
    expect(() => new TorchBatchNorm({ momentum: 2 })).toThrow(/momentum must be in \[0, 1\]/);
  });

  it('config round-trips through serialization', () => {
    const bn = new TorchBatchNorm({ name: 'b', eps: 1e-3, momentum: 0.01 });
    const cfg = bn.getConfig();
    expect(cfg).toMatchObject({ name: 'b', eps: 1e-3, momentum: 0.01 });
    const copy = TorchBatchNorm.fromConfig(TorchBatchNorm, cfg) as TorchBatchNorm;
    expect([copy.eps, copy.momentum]).toEqual([1e-3, 0.01]);
  });
});

describe('TorchBatchNorm frozen (torchvision FrozenBatchNorm2d)', () => {
  it('is the fixed affine map of the running statistics, in training too, and learns nothing', () => {
    const bn = new TorchBatchNorm({ frozen: true });
    bn.build([null, 2, 2, 3]);
    const w = [1.5, -0.5, 2];
    const b = [0.1, 0.2, -0.3];
    const rm = [0.5, -1, 2];
    const rv = [4, 0.25, 1];
    bn.gamma!.write(tf.tensor1d(w));
    bn.beta!.write(tf.tensor1d(b));
    bn.runningMean!.write(tf.tensor1d(rm));
    bn.runningVar!.write(tf.tensor1d(rv));
    const x = tf.randomNormal([2, 2, 2, 3], 0, 3, 'float32', 5);
    const y = bn.apply(x, { training: true }) as tf.Tensor;
    // FrozenBatchNorm2d: scale = w * (rv + eps)^-1/2, bias = b - rm * scale, y = x * scale + bias.
    const xs = x.dataSync();
    const expected = Array.from(xs, (v, i) => {
      const c = i % 3;
      const scale = w[c] / Math.sqrt(rv[c] + 1e-5);
      return v * scale + (b[c] - rm[c] * scale);
    });
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect(Array.from(bn.runningMean!.read().dataSync())).toEqual(rm);
    expect(bn.trainableWeights).toHaveLength(0);
    expect(bn.getConfig()).toMatchObject({ frozen: true });
  });
});
