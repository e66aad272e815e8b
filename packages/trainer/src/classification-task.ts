import * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch } from './batch-source';
import { crossEntropy } from './classification-metrics';
import { shareSizes } from './data-parallel/share-sizes';
import { evaluateClassifier } from './evaluate';
import type { TrainingTask } from './task';

/** Image classification: cross-entropy on logits; metrics test loss, top-1 and top-5 error (percent). */
export const classificationTask: TrainingTask<ImageBatch> = {
  batchSize: (batch) => batch.labels.length,
  trainingStep(model, batch) {
    const x = tf.tensor4d(batch.images, batch.shape);
    const y = tf.tensor1d(batch.labels, 'int32');
    return { loss: crossEntropy(model.apply(x, { training: true }) as tf.Tensor2D, y) };
  },
  split(batch, parts) {
    const [, h, w, c] = batch.shape;
    const pixels = h * w * c;
    let start = 0;
    // Two examples a share at least: a share of one cannot train a batch norm over features.
    return shareSizes(batch.labels.length, parts, 2).map((n) => {
      const end = start + n;
      // Copies, not views: a share is sent to a worker, and a view would carry the whole batch's buffer.
      const share: ImageBatch = {
        images: batch.images.slice(start * pixels, end * pixels),
        labels: batch.labels.slice(start, end),
        shape: [n, h, w, c],
      };
      start = end;
      return share;
    });
  },
  async evaluate(model, source) {
    const { loss, top1Err, top5Err } = await evaluateClassifier(model, source);
    return { testLoss: loss, top1Err, top5Err };
  },
  describeMetrics: (m) =>
    `test loss ${m.testLoss.toFixed(4)}, top-1 err ${m.top1Err.toFixed(2)}%, top-5 err ${m.top5Err.toFixed(2)}%`,
};
