import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry';
import { readOnHost, tensorFromHost } from './host-memory';

/** How the filter gradient `dW = x^T * dy` of a convolution is computed. */
export type FilterGradientMethod = 'native' | 'dilated-conv';

/** `dW` through the backend's own `Conv2DBackpropFilter` kernel (absent on wasm, very slow on cpu). */
export function conv2dFilterGradNative(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: [g.stride, g.stride],
    pad: g.tfPadding,
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
    const bottom = g.kernelHeight + (g.outHeight - 1) * s - g.inHeight - g.padTop;
    const right = g.kernelWidth + (g.outWidth - 1) * s - g.inWidth - g.padLeft;
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
        [g.padTop, Math.max(0, bottom)],
        [g.padLeft, Math.max(0, right)],
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
  return tensorFromHost([c, h, w, n], (out) => {
    const src = readOnHost(x);
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < h; y++) {
        for (let xi = 0; xi < w; xi++) {
          const from = ((b * height + y) * width + xi) * c;
          const to = (y * w + xi) * n + b;
          for (let ch = 0; ch < c; ch++) out[ch * h * w * n + to] = src[from + ch];
        }
      }
    }
  }) as tf.Tensor4D;
}

/**
 * `dW` as one plain matrix product `cols @ dy`, with the `[kh*kw*in, N*oh*ow]` patch matrix gathered on
 * the host. For 1x1 kernels the patch matrix is just strided x, and this beats the dilated convolution
 * (measured on wasm: 18 vs 107 ms for a 1x1/2 64->128 conv on 8x56x56); for larger kernels the gather costs
 * more than it saves.
 */
export function conv2dFilterGradIm2col(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const { batch, inHeight, inWidth, inChannels: cin, kernelHeight: kh, kernelWidth: kw, stride: s } = g;
  const rows = kh * kw * cin;
  const m = batch * g.outHeight * g.outWidth;
  return tf.tidy(() => {
    const cols = tensorFromHost([rows, m], (out) => {
      const src = readOnHost(x);
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          for (let n = 0; n < batch; n++) {
            for (let oy = 0; oy < g.outHeight; oy++) {
              const y = oy * s - g.padTop + i;
              if (y < 0 || y >= inHeight) continue; // a padded row: its column entries stay zero
              const col0 = (n * g.outHeight + oy) * g.outWidth;
              for (let ox = 0; ox < g.outWidth; ox++) {
                const xi = ox * s - g.padLeft + j;
                if (xi < 0 || xi >= inWidth) continue;
                const from = ((n * inHeight + y) * inWidth + xi) * cin;
                let to = (i * kw + j) * cin * m + col0 + ox;
                for (let c = 0; c < cin; c++, to += m) out[to] = src[from + c];
              }
            }
          }
        }
      }
    }) as tf.Tensor2D;
    const dy2 = tf.reshape(dy, [m, g.outChannels]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(cols, dy2), [kh, kw, cin, g.outChannels]) as tf.Tensor4D;
  });
}

/** Whether the patch-matrix filter gradient beats the dilated convolution for this geometry (measured on wasm). */
export function preferIm2colFilterGrad(g: ConvGeometry): boolean {
  return g.kernelHeight === 1 && g.kernelWidth === 1;
}
