import { AsymmetricConv2D, AsymmetricDense } from '@bioprop/feedback-rules';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BatchSource, ImageBatch } from '../batch-source';

/**
 * A small conv net of feedback-rules layers for trainer tests; `batchNorm` adds tfjs-layers' BatchNormalization
 * (named 'bn') after the first conv.
 */
export function tinyModel(rule: string, seed = 1, { batchNorm = false } = {}): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  let h = new AsymmetricConv2D({
    name: 'conv',
    filters: 4,
    kernelSize: 3,
    strides: 2,
    pad: 1,
    rule,
    seed,
  }).apply(input) as tfl.SymbolicTensor;
  if (batchNorm)
    h = tfl.layers.batchNormalization({ name: 'bn', momentum: 0.9 }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
  h = new AsymmetricConv2D({ name: 'conv2', filters: 4, kernelSize: 3, pad: 1, rule, seed: seed + 2 }).apply(
    h,
  ) as tfl.SymbolicTensor;
  h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const out = new AsymmetricDense({ name: 'fc', units: 4, rule: 'bp', seed: seed + 1 }).apply(
    h,
  ) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/**
 * 8x8 images whose class is the brightest quadrant, plus noise: learnable in a few steps. Deterministic for a
 * (seed, epoch), shuffled per epoch, resumable at a batch offset.
 */
export function quadrantSource(count: number, batchSize: number, seed: number): BatchSource {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const images = new Float32Array(count * 64);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const q = Math.floor(rand() * 4);
    labels[i] = q;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const inQ = (y < 4 ? 0 : 2) + (x < 4 ? 0 : 1) === q;
        images[i * 64 + y * 8 + x] = (inQ ? 1 : 0) + 0.5 * (rand() - 0.5);
      }
    }
  }
  const batches = Math.ceil(count / batchSize);
  return {
    batchesPerEpoch: batches,
    *epoch(epoch: number, start: { startBatch?: number } = {}): Generator<ImageBatch> {
      const order = Array.from({ length: count }, (_, i) => i);
      let t = (seed * 31 + epoch * 7919) >>> 0;
      for (let i = count - 1; i > 0; i--) {
        t = (Math.imul(t, 1664525) + 1013904223) >>> 0;
        const j = t % (i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let b = start.startBatch ?? 0; b < batches; b++) {
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        const im = new Float32Array(idx.length * 64);
        const lb = new Int32Array(idx.length);
        idx.forEach((d, k) => {
          im.set(images.subarray(d * 64, d * 64 + 64), k * 64);
          lb[k] = labels[d];
        });
        yield { images: im, labels: lb, shape: [idx.length, 8, 8, 1] };
      }
    },
  };
}
