import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry';

/** How the filter gradient `dW = x^T * dy` of a convolution is computed. */
export type FilterGradientMethod = 'native' | 'dilated-conv';

/** `dW` through the backend's own `Conv2DBackpropFilter` kernel (absent on wasm, very slow on cpu). */
export function conv2dFilterGradNative(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: [g.stride, g.stride],
    pad: g.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    filterShape: [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels],
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * `dW` as one forward convolution: channels and batch swap roles, `x^T` is `[in, H, W, N]` and `dy^T` is the
 * `[oh, ow, N, out]` filter, dilated by the stride. The result `[in, kh, kw, out]` is transposed back.
 * Runs at the backend's forward conv speed.
 */
export function conv2dFilterGradDilated(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const s = g.stride;
    // Pad (or crop) the far side so the output is exactly kh x kw: rows the forward pass never read are dropped.
    const bottom = g.kernelHeight + (g.outHeight - 1) * s - g.inHeight - g.pad;
    const right = g.kernelWidth + (g.outWidth - 1) * s - g.inWidth - g.pad;
    const xt =
      bottom < 0 || right < 0
        ? croppedChannelsFirst(x, g.inHeight + Math.min(0, bottom), g.inWidth + Math.min(0, right))
        : (tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const out = tf.conv2d(
      xt,
      dyt,
      1,
      [
        [0, 0],
        [g.pad, Math.max(0, bottom)],
        [g.pad, Math.max(0, right)],
        [0, 0],
      ],
      'NHWC',
      [s, s],
    );
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * `x[:, :h, :w, :]` transposed to `[C, h, w, N]`, in one pass on the host: wasm's Slice of an activation
 * costs more than the whole loop (measured 55 ms vs ~3 ms for 0.8 M values).
 */
function croppedChannelsFirst(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  const [n, height, width, c] = x.shape;
  const src = x.dataSync();
  const out = new Float32Array(c * h * w * n);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let xi = 0; xi < w; xi++) {
        const from = ((b * height + y) * width + xi) * c;
        const to = (y * w + xi) * n + b;
        for (let ch = 0; ch < c; ch++) out[ch * h * w * n + to] = src[from + ch];
      }
    }
  }
  return tf.tensor4d(out, [c, h, w, n]);
}
