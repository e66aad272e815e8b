import type * as tf from '@tensorflow/tfjs-core';

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
