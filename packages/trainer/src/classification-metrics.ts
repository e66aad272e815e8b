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

/**
 * {@link topKCorrect} on the device: for each k, the number of samples whose label ranks below k, as a float32
 * vector (exact up to 2^24 samples), so evaluation reads nothing back per batch.
 */
export function topKCorrectTensor(logits: tf.Tensor2D, labels: tf.Tensor1D, ks: number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const label = tf.expandDims(tf.cast(labels, 'int32'), 1);
    const isLabel = tf.equal(tf.expandDims(tf.range(0, classes, 1, 'int32'), 0), label);
    const target = tf.sum(tf.where(isLabel, logits, tf.zerosLike(logits)), 1, true);
    const before = tf.less(tf.expandDims(tf.range(0, classes, 1, 'int32'), 0), label);
    const outranks = tf.logicalOr(
      tf.greater(logits, target),
      tf.logicalAnd(tf.equal(logits, target), before),
    );
    const rank = tf.sum(tf.cast(outranks, 'int32'), 1);
    return tf.stack(ks.map((k) => tf.sum(tf.cast(tf.less(rank, k), 'float32')))) as tf.Tensor1D;
  });
}
