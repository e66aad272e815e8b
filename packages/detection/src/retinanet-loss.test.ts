import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type BoxLossKind, type DetectionTarget, retinaNetLosses } from './retinanet-loss';
import { loadDetectionPartsVectors, referenceAnchors, relativeError } from './testing/reference';

const ref = loadDetectionPartsVectors().losses;
const anchors = referenceAnchors(ref.anchors);
const numImages = ref.targets.length;
const numAnchors = anchors.length / 4;
const K = ref.numClasses;
const targets: DetectionTarget[] = ref.targets.map((t) => ({
  boxes: Float32Array.from(t.boxes),
  labels: Int32Array.from(t.labels),
}));
const kindOf: Record<string, BoxLossKind> = { l1: 'l1', smooth_l1: 'smooth-l1', giou: 'giou' };

function inputs() {
  return {
    logits: tf.tensor3d(ref.clsLogits, [numImages, numAnchors, K]),
    deltas: tf.tensor3d(ref.boxDeltas, [numImages, numAnchors, 4]),
  };
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('retinaNetLosses', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const c of ref.boxLosses) {
      it(`${backend}: losses and gradients equal torchvision's RetinaNetHead, ${c.boxLoss} box loss`, async () => {
        await tf.setBackend(backend);
        const { logits, deltas } = inputs();
        const before = tf.memory().numTensors;
        const boxLoss = kindOf[c.boxLoss];
        // nothing may be read back: a GPU backend would stall on it
        const reads = ['data', 'dataSync', 'array', 'arraySync', 'buffer', 'bufferSync'] as const;
        const saved = reads.map((name) => tf.Tensor.prototype[name]);
        for (const name of reads) {
          tf.Tensor.prototype[name] = () => {
            throw new Error(`${name} called`);
          };
        }
        let losses: ReturnType<typeof retinaNetLosses>;
        try {
          losses = retinaNetLosses(logits, deltas, anchors, targets, { boxLoss });
        } finally {
          reads.forEach((name, i) => {
            (tf.Tensor.prototype as unknown as Record<string, unknown>)[name] = saved[i];
          });
        }
        // only the two scalars are left
        expect(tf.memory().numTensors).toBe(before + 2);
        expect(rel((await losses.classification.data())[0], ref.classification)).toBeLessThan(1e-5);
        expect(rel((await losses.boxRegression.data())[0], c.boxRegression)).toBeLessThan(1e-5);
        tf.dispose(losses);

        const gradCls = tf.grad(
          (l: tf.Tensor) =>
            retinaNetLosses(l as tf.Tensor3D, deltas, anchors, targets, { boxLoss }).classification,
        )(logits);
        const gradBox = tf.grad(
          (d: tf.Tensor) =>
            retinaNetLosses(logits, d as tf.Tensor3D, anchors, targets, { boxLoss }).boxRegression,
        )(deltas);
        expect(relativeError(await gradCls.data(), ref.gradClsLogits)).toBeLessThan(1e-5);
        expect(relativeError(await gradBox.data(), c.gradBoxDeltas)).toBeLessThan(1e-5);
        tf.dispose([gradCls, gradBox]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([logits, deltas]);
      });
    }
  }

  it('cpu: a batch without boxes has the focal loss of every anchor and no box loss', async () => {
    await tf.setBackend('cpu');
    const logits = tf.tensor3d(ref.clsLogits.slice(2 * numAnchors * K), [1, numAnchors, K]);
    const deltas = tf.zeros([1, numAnchors, 4]) as tf.Tensor3D;
    const losses = retinaNetLosses(logits, deltas, anchors, [targets[2]]);
    expect(rel((await losses.classification.data())[0], ref.emptyBatch.classification)).toBeLessThan(1e-5);
    expect((await losses.boxRegression.data())[0]).toBe(ref.emptyBatch.boxRegression);
    tf.dispose([logits, deltas, losses]);
  });

  it('cpu: leaks nothing inside tf.tidy and works inside tf.variableGrads', async () => {
    await tf.setBackend('cpu');
    const { logits, deltas } = inputs();
    const before = tf.memory().numTensors;
    const total = tf.tidy(() => {
      const l = retinaNetLosses(logits, deltas, anchors, targets, { boxLoss: 'giou' });
      return tf.add(l.classification, l.boxRegression);
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    total.dispose();
    const cls = tf.variable(logits);
    const box = tf.variable(deltas);
    const afterVariables = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const l = retinaNetLosses(cls as tf.Tensor3D, box as tf.Tensor3D, anchors, targets);
      return tf.add(l.classification, l.boxRegression) as tf.Scalar;
    });
    expect(relativeError(await grads[cls.name].data(), ref.gradClsLogits)).toBeLessThan(1e-5);
    expect(relativeError(await grads[box.name].data(), ref.boxLosses[0].gradBoxDeltas)).toBeLessThan(1e-5);
    tf.dispose([value, grads[cls.name], grads[box.name]]);
    expect(tf.memory().numTensors).toBe(afterVariables);
    tf.dispose([cls, box, logits, deltas]);
  });

  it('refuses degenerate and non-finite boxes, labels outside 0..K-1 and mismatched shapes, naming the image and box', async () => {
    await tf.setBackend('cpu');
    const { logits, deltas } = inputs();
    const before = tf.memory().numTensors;
    const withBox = (box: number[], label = 0): DetectionTarget[] => [
      targets[0],
      { boxes: Float32Array.from([1, 2, 9, 9, ...box]), labels: Int32Array.from([1, label]) },
      targets[2],
    ];
    const run = (t: DetectionTarget[]) => () => retinaNetLosses(logits, deltas, anchors, t);
    expect(run(withBox([5, 5, 5, 9]))).toThrow(
      /image 1, box 1 \[5, 5, 5, 9\] needs a positive width and height/,
    );
    expect(run(withBox([5, 5, 9, 5]))).toThrow(/image 1, box 1 \[5, 5, 9, 5\] needs a positive width/);
    expect(run(withBox([5, 5, 4, 9]))).toThrow(/image 1, box 1 .* needs a positive width/);
    expect(run(withBox([5, Number.NaN, 8, 9]))).toThrow(/image 1, box 1 \[5, NaN, 8, 9\] is not finite/);
    expect(run(withBox([5, 5, 8, 9], 3))).toThrow(/image 1, box 1 has label 3 outside 0..2/);
    expect(run(withBox([5, 5, 8, 9], -1))).toThrow(/label -1 outside/);
    expect(run([targets[0]])).toThrow(/1 targets for a batch of 3 images/);
    expect(run([targets[0], { boxes: new Float32Array(4), labels: new Int32Array(2) }, targets[2]])).toThrow(
      /image 1 has 4 box numbers for 2 labels/,
    );
    expect(() => retinaNetLosses(logits, deltas, anchors.subarray(4), targets)).toThrow(/anchors for/);
    expect(() => retinaNetLosses(logits, deltas, anchors, targets, { boxLoss: 'l2' as BoxLossKind })).toThrow(
      /unknown box loss 'l2'/,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, deltas]);
  });
});
