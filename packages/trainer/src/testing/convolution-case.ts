import * as tf from '@tensorflow/tfjs-core';

/**
 * XNNPACK's work on seeded inputs large enough for it to split across threads: a 3x3 convolution (stride 2,
 * 'same'), the gradient of a weighted sum of it with respect to its input, and a matrix product.
 */
export function convolutionCase(): { y: number[]; dx: number[]; product: number[] } {
  return tf.tidy(() => {
    const x = tf.randomUniform([4, 17, 17, 24], -1, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 24, 32], -1, 1, 'float32', 2) as tf.Tensor4D;
    const weights = tf.randomUniform([4, 9, 9, 32], -1, 1, 'float32', 3);
    const a = tf.randomUniform([96, 200], -1, 1, 'float32', 4) as tf.Tensor2D;
    const b = tf.randomUniform([200, 64], -1, 1, 'float32', 5) as tf.Tensor2D;
    const conv = (input: tf.Tensor4D) => tf.conv2d(input, w, 2, 'same');
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(conv(input as tf.Tensor4D), weights)))(x);
    return {
      y: Array.from(conv(x).dataSync()),
      dx: Array.from(dx.dataSync()),
      product: Array.from(tf.matMul(a, b).dataSync()),
    };
  });
}
