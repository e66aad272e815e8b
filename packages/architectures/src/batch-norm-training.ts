import * as tf from '@tensorflow/tfjs-core';

/** Batch statistics of one training-mode batch norm call (biased variance, as used to normalize). */
export interface BatchStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Training-mode batch norm over all axes but the last, with the closed-form gradient
 * `dx = gamma * invstd / n * (n * dy - sum(dy) - xhat * sum(dy * xhat))`. Autodiff of `tf.moments` +
 * `tf.batchNorm` costs several full-size `Tile`s and reductions more (measured ~2x slower on wasm).
 * `onStatistics` receives the batch statistics (for the running averages); they carry no gradient.
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
  onStatistics: (stats: BatchStatistics) => void,
): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const n = x.size / x.shape[x.rank - 1];
  const op = tf.customGrad((xIn, gammaIn, betaIn, save) => {
    const xt = xIn as tf.Tensor;
    const { mean, variance } = tf.moments(xt, axes);
    onStatistics({ mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D });
    const invStd = tf.rsqrt(tf.add(variance, eps));
    // y = x * a + b with per-channel a = gamma * invstd, b = beta - mean * a: two full-size passes.
    const a = tf.mul(gammaIn as tf.Tensor, invStd);
    const b = tf.sub(betaIn as tf.Tensor, tf.mul(mean, a));
    const value = tf.add(tf.mul(xt, a), b);
    (save as tf.GradSaveFunc)([xt, gammaIn as tf.Tensor, mean, invStd]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = Array.isArray(dy) ? dy[0] : dy;
        const [xs, gammaS, meanS, invStdS] = saved;
        // xhat is recomputed rather than saved: one activation-sized tensor less per layer.
        const xhat = tf.mul(tf.sub(xs, meanS), invStdS);
        const dBeta = tf.sum(g, axes);
        const dGamma = tf.sum(tf.mul(g, xhat), axes);
        const scale = tf.mul(gammaS, invStdS);
        // dx = dy * scale + xhat * (-scale * dGamma / n) + (-scale * dBeta / n)
        const dx = tf.add(
          tf.mul(g, scale),
          tf.add(tf.mul(xhat, tf.mul(scale, tf.mul(dGamma, -1 / n))), tf.mul(scale, tf.mul(dBeta, -1 / n))),
        );
        return [dx, dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta);
}
