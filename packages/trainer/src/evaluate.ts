import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchSource } from './batch-source';
import { crossEntropy, topKCorrectTensor } from './classification-metrics';

/** Loss and top-1 / top-5 error (percent) of a model on a data source, in inference mode. */
export interface EvalResult {
  loss: number;
  top1Err: number;
  top5Err: number;
  count: number;
}

/**
 * Evaluates `model` on every batch of epoch 0 of `source` (BN uses running statistics). Each batch's loss and
 * top-k counts stay on the device until one read at the end, which a GPU backend needs to keep its queue full.
 */
export async function evaluateClassifier(model: LayersModel, source: BatchSource): Promise<EvalResult> {
  const perBatch: tf.Tensor1D[] = [];
  const sizes: number[] = [];
  let stacked: tf.Tensor | undefined;
  try {
    for await (const batch of source.epoch(0)) {
      perBatch.push(
        tf.tidy(() => {
          const x = tf.tensor4d(batch.images, batch.shape);
          const labels = tf.tensor1d(batch.labels, 'int32');
          const logits = model.apply(x, { training: false }) as tf.Tensor2D;
          const ks = [1, Math.min(5, logits.shape[1])];
          return tf.concat([
            tf.reshape(crossEntropy(logits, labels), [1]),
            topKCorrectTensor(logits, labels, ks),
          ]);
        }),
      );
      sizes.push(batch.labels.length);
    }
    if (perBatch.length === 0) throw new Error('evaluation data is empty');
    stacked = tf.stack(perBatch);
    const data = await stacked.data();
    let lossSum = 0;
    let top1 = 0;
    let top5 = 0;
    sizes.forEach((n, i) => {
      lossSum += data[3 * i] * n;
      top1 += data[3 * i + 1];
      top5 += data[3 * i + 2];
    });
    const count = sizes.reduce((a, n) => a + n, 0);
    return {
      loss: lossSum / count,
      top1Err: 100 * (1 - top1 / count),
      top5Err: 100 * (1 - top5 / count),
      count,
    };
  } finally {
    tf.dispose([...perBatch, ...(stacked ? [stacked] : [])]);
  }
}
