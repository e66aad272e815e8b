import * as tf from '@tensorflow/tfjs-core';
import { currentAlignmentProbe } from '../metrics/alignment-probe';
import { lazyGradientOp } from './lazy-gradient-op';
import { matMul } from './mat-mul';

/**
 * `x @ kernel (+ bias)` whose gradient to `x` is `dy @ feedback^T` instead of `dy @ kernel^T`;
 * kernel and bias gradients are the true ones. Kernel and feedback are `[in, out]`.
 */
export function asymmetricDense(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  feedback: tf.Tensor2D,
  bias?: tf.Tensor1D,
  opts: { name?: string } = {},
): tf.Tensor2D {
  const who = opts.name ? `asymmetricDense '${opts.name}'` : 'asymmetricDense';
  if (x.rank !== 2) throw new Error(`${who}: input must be rank 2 [batch, in], got shape [${x.shape}]`);
  if (kernel.rank !== 2)
    throw new Error(`${who}: kernel must be rank 2 [in, out], got shape [${kernel.shape}]`);
  if (x.shape[1] !== kernel.shape[0]) {
    throw new Error(
      `${who}: input [${x.shape}] has ${x.shape[1]} features but kernel [${kernel.shape}] expects ${kernel.shape[0]}`,
    );
  }
  if (!tf.util.arraysEqual(feedback.shape, kernel.shape)) {
    throw new Error(`${who}: feedback shape [${feedback.shape}] differs from kernel shape [${kernel.shape}]`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== kernel.shape[1])) {
    throw new Error(`${who}: bias shape [${bias.shape}] does not match kernel outputs ${kernel.shape[1]}`);
  }
  const y = lazyGradientOp<tf.Tensor2D>(
    [x, kernel],
    (save) => {
      save([x, kernel, feedback]);
      return matMul(x, kernel);
    },
    (dy, saved) => {
      const [xSaved, kSaved, bSaved] = saved as tf.Tensor2D[];
      const dx = () => {
        const grad = matMul(dy, bSaved, false, true);
        const probe = currentAlignmentProbe();
        if (probe) {
          probe.record({
            name: opts.name ?? 'dense',
            kind: 'dense',
            dy,
            kernel: kSaved,
            feedback: bSaved,
            dx: grad,
            bpDx: () => matMul(dy, kSaved, false, true),
          });
        }
        return grad;
      };
      return [dx, () => matMul(xSaved, dy, true, false)];
    },
  );
  return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
}
