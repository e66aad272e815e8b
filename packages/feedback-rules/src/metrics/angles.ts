import * as tf from '@tensorflow/tfjs-core';

/**
 * Angle in degrees between two tensors seen as flat vectors (90 for a zero vector). Sums run in float64 on
 * the host: near 0 and 180 degrees float32 sums lose the angle.
 */
export function angleBetween(a: tf.Tensor, b: tf.Tensor): number {
  if (a.size !== b.size) throw new Error(`angleBetween: sizes differ ([${a.shape}] vs [${b.shape}])`);
  const x = a.dataSync();
  const y = b.dataSync();
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.length; i++) {
    dot += x[i] * y[i];
    nx += x[i] * x[i];
    ny += y[i] * y[i];
  }
  if (nx === 0 || ny === 0) return 90;
  const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(nx * ny)));
  return (Math.acos(cos) * 180) / Math.PI;
}

/**
 * Angle in degrees between two tensors seen as flat vectors, computed on their backend (90 for a zero vector).
 * Kahan's `2 atan2(|u - v|, |u + v|)` of the unit vectors keeps float32 accurate near 0 and 180 degrees, where
 * `acos` of a float32 cosine is not.
 */
export function angleTensor(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  if (a.size !== b.size) throw new Error(`angleTensor: sizes differ ([${a.shape}] vs [${b.shape}])`);
  return tf.tidy(() => {
    const x = tf.reshape(a, [-1]);
    const y = tf.reshape(b, [-1]);
    const nx = tf.norm(x);
    const ny = tf.norm(y);
    const u = tf.div(x, nx);
    const v = tf.div(y, ny);
    const angle = tf.mul(tf.atan2(tf.norm(tf.sub(u, v)), tf.norm(tf.add(u, v))), 360 / Math.PI);
    const zero = tf.logicalOr(tf.equal(nx, 0), tf.equal(ny, 0));
    return tf.where(zero, tf.scalar(90), angle) as tf.Scalar;
  });
}
