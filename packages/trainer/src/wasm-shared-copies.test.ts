import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from './testing/tiny-setup';
import { shareWasmCopies } from './wasm-shared-copies';

/** Loss and gradients of one training-mode step of a conv net with ReLUs, average pooling and a dense layer. */
function gradients(): { loss: number; grads: Float32Array[] } {
  const model = tinyModel('ss', 3);
  const x = tf.randomUniform([6, 8, 8, 1], -1, 1, 'float32', 5);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32'), 4));
  const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const pooled = tf.avgPool(tf.relu(x) as tf.Tensor4D, 2, 1, 'same');
    return tf.losses.softmaxCrossEntropy(
      y,
      model.apply(pooled, { training: true }) as tf.Tensor,
    ) as tf.Scalar;
  }, params);
  const out = {
    loss: value.dataSync()[0],
    grads: params.map((p) => grads[p.name].dataSync() as Float32Array),
  };
  tf.dispose([x, y, value, grads]);
  model.dispose();
  return out;
}

describe('shareWasmCopies', () => {
  let before: ReturnType<typeof gradients>;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    before = gradients();
    shareWasmCopies();
    shareWasmCopies(); // idempotent
  });

  it('clone and same-dtype cast share the buffer; each owner can be disposed first', () => {
    const ids = tf.engine().backend.numDataIds();
    const x = tf.tensor2d([1.5, -2, 3, 4], [2, 2]);
    const c = tf.clone(x);
    const f = tf.cast(x, 'float32');
    expect(tf.engine().backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1.5, -2, 3, 4]);
    c.dispose();
    expect(Array.from(f.dataSync())).toEqual([1.5, -2, 3, 4]);
    f.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(ids);
  });

  it('casts between dtypes still convert', () => {
    const x = tf.tensor1d([1.7, -2.2, 0]);
    expect(Array.from(tf.cast(x, 'int32').dataSync())).toEqual([1, -2, 0]);
    expect(Array.from(tf.cast(tf.tensor1d([3, -1], 'int32'), 'float32').dataSync())).toEqual([3, -1]);
  });

  it('a training step gives bit-identical loss and gradients, and frees what it allocated', () => {
    const ids = tf.engine().backend.numDataIds();
    const after = gradients();
    expect(tf.engine().backend.numDataIds()).toBe(ids);
    expect(after.loss).toBe(before.loss);
    after.grads.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(before.grads[i])));
  });
});
