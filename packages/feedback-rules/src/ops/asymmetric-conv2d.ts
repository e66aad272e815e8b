import * as tf from '@tensorflow/tfjs-core';
import { currentAlignmentProbe } from '../metrics/alignment-probe';
import { convGradientPlan } from './backend-plan';
import {
  conv2dFilterGradDilated,
  conv2dFilterGradIm2col,
  conv2dFilterGradNative,
  preferIm2colFilterGrad,
} from './conv-filter-gradient';
import { type ConvGeometry, type ConvPadding, convGeometry } from './conv-geometry';
import { conv2dInputGradNative, conv2dInputGradPhases } from './conv-input-gradient';
import { lazyGradientOp } from './lazy-gradient-op';

/** Options of {@link asymmetricConv2d}. */
export interface AsymmetricConv2dOptions {
  /** Stride in both directions. */
  strides: number;
  /**
   * Zero padding: a number on every side (PyTorch `padding=pad`), tfjs's `'same'` or `'valid'`, or explicit
   * pads per side (see {@link ConvPadding}).
   */
  pad: ConvPadding;
  /** Layer name for error messages and alignment metrics. */
  name?: string;
}

/** `dx = dy * B^T` of a convolution with the backend's fastest formulation. */
export function conv2dInputGrad(dy: tf.Tensor4D, feedback: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return convGradientPlan().input === 'native'
    ? conv2dInputGradNative(dy, feedback, g)
    : conv2dInputGradPhases(dy, feedback, g);
}

/** Which formulation {@link conv2dFilterGrad} uses for this geometry on the active backend. */
export function filterGradFormulation(g: ConvGeometry): 'native' | 'im2col' | 'dilated-conv' {
  if (convGradientPlan().filter === 'native') return 'native';
  return preferIm2colFilterGrad(g) ? 'im2col' : 'dilated-conv';
}

/** `dW = x^T * dy` of a convolution with the backend's fastest formulation. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  switch (filterGradFormulation(g)) {
    case 'native':
      return conv2dFilterGradNative(x, dy, g);
    case 'im2col':
      return conv2dFilterGradIm2col(x, dy, g);
    case 'dilated-conv':
      return conv2dFilterGradDilated(x, dy, g);
  }
}

/**
 * NHWC convolution whose gradient to `x` is computed with `feedback` in place of `filter`;
 * the gradient to `filter` is the true one. `feedback` receives no gradient.
 */
export function asymmetricConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  feedback: tf.Tensor4D,
  opts: AsymmetricConv2dOptions,
): tf.Tensor4D {
  const who = opts.name ? `asymmetricConv2d '${opts.name}'` : 'asymmetricConv2d';
  const g = convGeometry(x.shape, filter.shape, opts.strides, opts.pad, who);
  if (!tf.util.arraysEqual(feedback.shape, filter.shape)) {
    throw new Error(`${who}: feedback shape [${feedback.shape}] differs from filter shape [${filter.shape}]`);
  }
  return lazyGradientOp(
    [x, filter],
    (save) => {
      save([x, filter, feedback]);
      return tf.conv2d(x, filter, g.stride, g.tfPadding);
    },
    (dy, saved) => {
      const [xSaved, wSaved, bSaved] = saved as tf.Tensor4D[];
      const dx = () => {
        const grad = conv2dInputGrad(dy, bSaved, g);
        const probe = currentAlignmentProbe();
        if (probe) {
          probe.record({
            name: opts.name ?? 'conv2d',
            kind: 'conv2d',
            dy,
            kernel: wSaved,
            feedback: bSaved,
            dx: grad,
            bpDx: () => conv2dInputGrad(dy, wSaved, g),
          });
        }
        return grad;
      };
      return [dx, () => conv2dFilterGrad(xSaved, dy, g)];
    },
  );
}
