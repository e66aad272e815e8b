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
    // BCE with logits as softplus(x) - x t: no overflow; it rounds away only the tiny losses of confident
    // positives, which (1 - p_t)^gamma makes negligible anyway
    const ce = tf.sub(tf.softplus(logits), tf.mul(logits, targets));
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
      // alpha t + (1 - alpha) (1 - t)
      loss = tf.mul(loss, tf.add(tf.mul(targets, 2 * alpha - 1), 1 - alpha));
    }
    return loss as T;
  });
}
