import * as tf from '@tensorflow/tfjs-core';

/** Mean cross-entropy of logits `[B, C]` against integer labels (PyTorch `F.cross_entropy`). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/**
 * Number of samples whose label is among the k highest logits, for each k (PyTorch ImageNet example's
 * `accuracy`: topk, ties broken by position).
 */
export function topKCorrect(
  logits: Float32Array,
  labels: Int32Array,
  classes: number,
  ks: number[],
): number[] {
  const correct = ks.map(() => 0);
  const batch = labels.length;
  for (let b = 0; b < batch; b++) {
    const row = b * classes;
    const target = logits[row + labels[b]];
    // Rank of the label: classes scoring higher, plus equal scores at a lower index (stable top-k order).
    let rank = 0;
    for (let c = 0; c < classes; c++) {
      const v = logits[row + c];
      if (v > target || (v === target && c < labels[b])) rank++;
    }
    ks.forEach((k, i) => {
      if (rank < k) correct[i]++;
    });
  }
  return correct;
}
