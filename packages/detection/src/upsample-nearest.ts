import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';

/** Source index of each output index, PyTorch's legacy 'nearest': `floor(dst * in / out)`. */
function sourceIndices(outSize: number, inSize: number): number[] {
  return Array.from({ length: outSize }, (_, i) => Math.min(inSize - 1, Math.floor((i * inSize) / outSize)));
}

/** `[out, in]` 0/1 matrix that picks each output row's source row. */
function selection(outSize: number, inSize: number): tf.Tensor2D {
  const m = new Float32Array(outSize * inSize);
  sourceIndices(outSize, inSize).forEach((s, i) => {
    m[i * inSize + s] = 1;
  });
  return tf.tensor2d(m, [outSize, inSize]);
}

/**
 * Nearest-neighbour resize of `x` `[N, h, w, C]` to `[N, H, W, C]` with an exact gradient on every backend.
 * tfjs 4.22's cpu `ResizeNearestNeighborGrad` is wrong for batches of more than one image, so the gradient is
 * ours: for whole-number factors (an FPN on inputs padded to a multiple of 32) the sum over each output block;
 * otherwise the resize is two 0/1 selection matrix products, which autodiff handles.
 */
export function upsampleNearest(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (height % h === 0 && width % w === 0) {
    const fh = height / h;
    const fw = width / w;
    const up = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.image.resizeNearestNeighbor(args[0] as tf.Tensor4D, [height, width]),
      gradFunc: (dy: tf.Tensor) => tf.sum(tf.reshape(dy, [n, h, fh, w, fw, c]), [2, 4]),
    }));
    return up(x) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const rows = selection(height, h); // [H, h]
    const cols = selection(width, w); // [W, w]
    const channelsFirst = tf.transpose(x, [0, 3, 1, 2]); // [N, C, h, w]
    const tall = tf.matMul(tf.broadcastTo(rows, [n, c, height, h]), channelsFirst); // [N, C, H, w]
    const wide = tf.matMul(tall, tf.broadcastTo(cols, [n, c, width, w]), false, true); // [N, C, H, W]
    return tf.transpose(wide, [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

/**
 * `[top, lateral]` -> `top` resized to `lateral`'s height and width by nearest neighbour, as PyTorch's
 * `F.interpolate(top, size=lateral.shape[-2:], mode='nearest')` in an FPN's top-down path.
 */
export class UpsampleNearestLike extends layers.Layer {
  static className = 'UpsampleNearestLike';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [top, lateral] = inputShape as Shape[];
    return [top[0], lateral[1], lateral[2], top[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [top, lateral] = inputs as tf.Tensor4D[];
      const [h, w] = [lateral.shape[1], lateral.shape[2]];
      if (top.shape[1] === h && top.shape[2] === w) return top.clone();
      return upsampleNearest(top, h, w);
    });
  }
}

tf.serialization.registerClass(UpsampleNearestLike);
