import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchSource } from './batch-source';
import { crossEntropy, topKCorrect } from './classification-metrics';

/** Loss and top-1 / top-5 error (percent) of a model on a data source, in inference mode. */
export interface EvalResult {
  loss: number;
  top1Err: number;
  top5Err: number;
  count: number;
}

/** Evaluates `model` on every batch of epoch 0 of `source` (BN uses running statistics). */
export async function evaluateClassifier(model: LayersModel, source: BatchSource): Promise<EvalResult> {
  let lossSum = 0;
  let count = 0;
  let top1 = 0;
  let top5 = 0;
  for await (const batch of source.epoch(0)) {
    const n = batch.labels.length;
    const out = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, batch.shape);
      const logits = model.apply(x, { training: false }) as tf.Tensor2D;
      return { logits, loss: crossEntropy(logits, tf.tensor1d(batch.labels, 'int32')) };
    });
    // Asynchronous reads: GPU backends (webgpu in Node) cannot read synchronously.
    const [lossData, logitsData] = await Promise.all([out.loss.data(), out.logits.data()]);
    const classes = out.logits.shape[1];
    tf.dispose([out.loss, out.logits]);
    const loss = lossData[0];
    const [c1, c5] = topKCorrect(logitsData as Float32Array, batch.labels, classes, [
      1,
      Math.min(5, classes),
    ]);
    top1 += c1;
    top5 += c5;
    lossSum += loss * n;
    count += n;
  }
  if (count === 0) throw new Error('evaluation data is empty');
  return {
    loss: lossSum / count,
    top1Err: 100 * (1 - top1 / count),
    top5Err: 100 * (1 - top5 / count),
    count,
  };
}
