import * as tf from '@tensorflow/tfjs-core';

/**
 * torchvision's sigmoid_focal_loss with reduction 'none': binary cross-entropy on logits, scaled by
 * (1 - p_t)^gamma and by alpha for positives / 1 - alpha for negatives (alpha < 0: no such weighting).
 * Differentiable; every intermediate is disposed.
 */
export function sigmoidFocalLoss<T extends tf.Tensor>(
  logits: T,
  targets: tf.Tensor,
  alpha = 0.25,
  gamma = 2,
): T {
  return tf.tidy(() => {
    // max(x, 0) - x t + log(1 + exp(-|x|)): BCE with logits that neither overflows nor loses small losses
    const ce = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, targets)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    let loss: tf.Tensor = ce;
    if (gamma !== 0) {
      // 1 - p_t = p (1 - t) + (1 - p) t, with 1 - p as sigmoid(-x): no cancellation when p is near 1
      const oneMinusPt = tf.add(
        tf.mul(tf.sigmoid(logits), tf.sub(1, targets)),
        tf.mul(tf.sigmoid(tf.neg(logits)), targets),
      );
      loss = tf.mul(loss, gamma === 2 ? tf.square(oneMinusPt) : tf.pow(oneMinusPt, gamma));
    }
    if (alpha >= 0) {
      loss = tf.mul(loss, tf.add(tf.mul(targets, alpha), tf.mul(tf.sub(1, targets), 1 - alpha)));
    }
    return loss as T;
  });
}
