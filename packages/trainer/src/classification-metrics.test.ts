import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { crossEntropy, topKCorrect, topKCorrectTensor } from './classification-metrics';

describe('classification metrics', () => {
  it('cross-entropy equals the hand computation', () => {
    const logits = [
      [1, 2, 3],
      [0, 0, 0],
    ];
    const l = crossEntropy(tf.tensor2d(logits), tf.tensor1d([2, 0], 'int32')).dataSync()[0];
    const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
    expect(l).toBeCloseTo((lse(logits[0]) - 3 + lse(logits[1]) - 0) / 2, 6);
  });
  it('top-k counts with ties broken by position', () => {
    const logits = Float32Array.from([
      0.1,
      0.5,
      0.2,
      0.9, // label 1: rank 1 -> top-1 miss, top-2 hit
      0.3,
      0.3,
      0.0,
      0.0, // label 1 ties label 0 at a lower index -> rank 1
      0.0,
      0.0,
      0.0,
      1.0, // label 3: rank 0
    ]);
    expect(topKCorrect(logits, Int32Array.from([1, 1, 3]), 4, [1, 2])).toEqual([1, 3]);
  });
});

describe('top-k counts on the device', () => {
  it('equal the host counts, ties included', async () => {
    const rows = 64;
    const classes = 10;
    // Values on a coarse grid, so many rows hold ties with their label.
    const logits = Float32Array.from({ length: rows * classes }, (_, i) => ((i * 7919) % 5) - 2);
    const labels = Int32Array.from({ length: rows }, (_, i) => (i * 31) % classes);
    const ks = [1, 3, 5];
    const device = topKCorrectTensor(tf.tensor2d(logits, [rows, classes]), tf.tensor1d(labels, 'int32'), ks);
    const counts = Array.from(await device.data());
    device.dispose();
    expect(counts).toEqual(topKCorrect(logits, labels, classes, ks));
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[0]).toBeLessThan(rows);
  });
});
