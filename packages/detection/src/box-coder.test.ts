import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BBOX_XFORM_CLIP, BoxCoder, type BoxCoderWeights } from './box-coder';
import { loadDetectionPartsVectors, maxRelativeError } from './testing/reference';

const ref = loadDetectionPartsVectors().boxCoder;

describe('BoxCoder.encode', () => {
  for (const c of ref.encode) {
    it(`equals torchvision, weights ${c.weights.join(', ')}`, () => {
      const coder = new BoxCoder(c.weights as unknown as BoxCoderWeights);
      const targets = coder.encode(Float32Array.from(c.referenceBoxes), Float32Array.from(c.proposals));
      // float32 output of a double computation: 1e-6 relative (1e-6 absolute near zero)
      expect(maxRelativeError(targets, c.targets, 1)).toBeLessThan(1e-6);
    });
  }

  it('refuses inputs that are not n x 4 pairs', () => {
    expect(() => new BoxCoder().encode([0, 0, 1, 1], [0, 0, 1])).toThrow(/not n x 4/);
  });
});

describe('BoxCoder.decode', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const c of ref.decode) {
      it(`${backend}: equals torchvision, weights ${c.weights.join(', ')}, dw / dh beyond the clamp`, async () => {
        await tf.setBackend(backend);
        const coder = new BoxCoder(c.weights as unknown as BoxCoderWeights);
        const before = tf.memory().numTensors;
        const codes = tf.tensor2d(c.relCodes, [c.relCodes.length / 4, 4]);
        const boxes = tf.tensor2d(c.boxes, [c.boxes.length / 4, 4]);
        const decoded = coder.decode(codes, boxes);
        expect(decoded.shape).toEqual(codes.shape);
        expect(maxRelativeError(await decoded.data(), c.decoded, 1)).toBeLessThan(1e-5);
        tf.dispose([codes, boxes, decoded]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('cpu: broadcasts anchors over a batch, and gives no gradient through a clamped dw', async () => {
    await tf.setBackend('cpu');
    const coder = new BoxCoder();
    const anchors = tf.tensor2d([0, 0, 10, 20, 5, 5, 9, 7], [2, 4]);
    const codes = tf.tensor3d([0.1, -0.2, 0.3, 0.4, 0, 0, 9, -1, 0, 0, 0, 0, 0.5, 0.5, 0, 0], [2, 2, 4]);
    const batch = coder.decode(codes, anchors);
    const single = coder.decode(codes.slice([1, 0, 0], [1, 2, 4]).reshape([2, 4]) as tf.Tensor2D, anchors);
    expect(Array.from(batch.slice([1, 0, 0], [1, 2, 4]).dataSync())).toEqual(Array.from(single.dataSync()));
    // weights that tell x1 from x2: the plain sum of a box does not depend on its size
    const w = tf.tensor1d([1, 2, 3, 5]);
    const grad = tf.grad((c: tf.Tensor) =>
      coder
        .decode(c as tf.Tensor3D, anchors)
        .mul(w)
        .sum(),
    )(codes);
    const g = grad.arraySync() as number[][][];
    expect(g[0][1][2]).toBe(0); // dw = 9 > log(1000/16): clamped
    expect(g[0][1][3]).not.toBe(0);
    expect(BBOX_XFORM_CLIP).toBeCloseTo(4.135166556742356, 14);
    tf.dispose([anchors, codes, batch, single, grad, w]);
  });
});
