import '@tensorflow/tfjs';
import type { DetectionBatch } from '@bioprop/coco-loader';
import { RetinaNet } from '@bioprop/detection';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectionTask, splitDetectionBatch } from './detection-task';

/** Three 64x64 images with one or two boxes each. */
function batch(): DetectionBatch {
  const n = 3;
  const images = Float32Array.from({ length: n * 64 * 64 }, (_, i) => Math.sin(i * 0.37));
  const boxes = [
    Float32Array.of(4, 4, 30, 40),
    Float32Array.of(10, 12, 50, 44, 32, 0, 63, 20),
    Float32Array.of(0, 30, 28, 63),
  ];
  const labels = [Int32Array.of(0), Int32Array.of(1, 0), Int32Array.of(1)];
  const meta = [1, 2, 3].map((imageId) => ({
    imageId,
    fileName: `${imageId}.png`,
    originalWidth: 64,
    originalHeight: 64,
    width: 64,
    height: 64,
    scale: 1,
    flipped: false,
  }));
  return {
    images,
    shape: [n, 64, 64, 1],
    boxes,
    labels,
    ignoreRegions: boxes.map(() => new Float32Array()),
    meta,
  };
}

describe('detection task: split for data-parallel replicas', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('splits images with their targets in order, as copies', () => {
    const b = batch();
    const [first, second] = splitDetectionBatch(b, 2);
    expect(first.shape).toEqual([2, 64, 64, 1]);
    expect(second.shape).toEqual([1, 64, 64, 1]);
    expect(second.boxes).toEqual([b.boxes[2]]);
    expect(first.labels).toEqual(b.labels.slice(0, 2));
    expect(second.meta[0].imageId).toBe(3);
    expect(second.images).toEqual(b.images.subarray(2 * 4096));
    expect(second.images.buffer.byteLength).toBe(4096 * 4);
  });

  it("the shares' losses weighted by their images equal the batch's losses (frozen batch norm)", () => {
    const net = new RetinaNet({
      classes: 2,
      depth: 18,
      width: 4,
      inputChannels: 1,
      fpnChannels: 8,
      extraLevels: 'p5',
      anchorBaseSizes: [16, 32, 64, 128, 256],
      rule: 'ss',
      frozenBackboneBatchNorm: true,
      seed: 0,
    });
    const task = detectionTask(net, null);
    const b = batch();
    const value = (x: DetectionBatch) =>
      tf.tidy(() => {
        const losses = task.trainingStep(net.model, x);
        return Object.fromEntries(Object.entries(losses).map(([k, t]) => [k, t.dataSync()[0]]));
      });
    const whole = value(b);
    const shares = task.split!(b, 2).map((s) => ({ n: s.shape[0], losses: value(s) }));
    for (const name of ['loss', 'classification', 'boxRegression']) {
      const combined = shares.reduce((sum, s) => sum + (s.n / 3) * s.losses[name], 0);
      expect(combined).toBeCloseTo(whole[name], 5);
    }
    net.model.dispose();
  });
});
