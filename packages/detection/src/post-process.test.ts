import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { postProcess } from './post-process';
import {
  loadDetectionPartsVectors,
  maxAbsError,
  type ReferencePostProcess,
  referenceAnchors,
} from './testing/reference';

const ref = loadDetectionPartsVectors().postProcess;

function inputsOf(c: ReferencePostProcess) {
  const source = c.inputsFrom ? ref.find((r) => r.name === c.inputsFrom)! : c;
  const n = c.imageSizes.length;
  const a = c.anchorsPerLevel.reduce((x, y) => x + y, 0);
  return {
    logits: tf.tensor3d(source.clsLogits!, [n, a, c.numClasses]),
    deltas: tf.tensor3d(source.boxDeltas!, [n, a, 4]),
  };
}

const dataSync = tf.Tensor.prototype.dataSync;
afterEach(() => {
  tf.Tensor.prototype.dataSync = dataSync;
});

describe('postProcess', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const c of ref) {
      it(`${backend}: equals torchvision's postprocess_detections: ${c.name}`, async () => {
        await tf.setBackend(backend);
        const { logits, deltas } = inputsOf(c);
        const before = tf.memory().numTensors;
        // the WebGPU backend in Node refuses synchronous reads: so does this test
        tf.Tensor.prototype.dataSync = () => {
          throw new Error('dataSync called');
        };
        const dets = await postProcess(
          logits,
          deltas,
          referenceAnchors(c.anchors),
          c.anchorsPerLevel,
          c.imageSizes,
          c.options,
        );
        tf.Tensor.prototype.dataSync = dataSync;
        expect(tf.memory().numTensors).toBe(before);
        expect(dets.length).toBe(c.detections.length);
        dets.forEach((d, i) => {
          const want = c.detections[i];
          expect(Array.from(d.labels)).toEqual(want.labels);
          expect(maxAbsError(d.scores, want.scores)).toBeLessThan(1e-5);
          expect(maxAbsError(d.boxes, want.boxes)).toBeLessThan(1e-4);
        });
        tf.dispose([logits, deltas]);
      });
    }
  }

  for (const backend of ['cpu', 'wasm']) {
    it(`${backend}: breaks a tie across the top-k cut by the lowest index, whatever the backend picked`, async () => {
      await tf.setBackend(backend);
      // one level of 6 anchors x 2 classes: eight logits tie at 1.0 around a cut of 5 candidates
      const logits = tf.tensor3d([3, 1, 1, -9, 1, 1, 1, 2, 1, 1, -9, 1], [1, 6, 2]);
      const deltas = tf.zeros([1, 6, 4]) as tf.Tensor3D;
      // far-apart anchors: NMS keeps everything
      const anchors = Float32Array.from(
        { length: 24 },
        (_, i) => Math.floor(i / 4) * 20 + (i % 4 < 2 ? 0 : 10),
      );
      const before = tf.memory().numTensors;
      tf.Tensor.prototype.dataSync = () => {
        throw new Error('dataSync called');
      };
      const [det] = await postProcess(logits, deltas, anchors, [6], [[200, 200]], { topkCandidates: 5 });
      tf.Tensor.prototype.dataSync = dataSync;
      expect(tf.memory().numTensors).toBe(before);
      // flat indices: 0 (3), 7 (2), then the ties 1, 2, 4 of 1, 2, 4, 5, 6, 8, 9, 11
      expect(Array.from(det.labels)).toEqual([0, 1, 1, 0, 0]);
      expect(Array.from(det.boxes.filter((_, j) => j % 4 === 0))).toEqual([0, 60, 0, 20, 40]);
      tf.dispose([logits, deltas]);
    });
  }

  it('cpu: refuses levels that do not add up and mismatched shapes', async () => {
    await tf.setBackend('cpu');
    const logits = tf.zeros([1, 6, 2]) as tf.Tensor3D;
    const deltas = tf.zeros([1, 6, 4]) as tf.Tensor3D;
    const anchors = new Float32Array(24);
    await expect(postProcess(logits, deltas, anchors, [4], [[10, 10]])).rejects.toThrow(/levels of \[4\]/);
    await expect(postProcess(logits, deltas, anchors, [6], [])).rejects.toThrow(/0 image sizes for 1 images/);
    await expect(
      postProcess(logits, tf.zeros([1, 5, 4]) as tf.Tensor3D, anchors, [6], [[1, 1]]),
    ).rejects.toThrow(/do not fit/);
    tf.dispose([logits, deltas]);
  });
});
