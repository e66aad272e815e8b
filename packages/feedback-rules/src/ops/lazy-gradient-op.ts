import * as tf from '@tensorflow/tfjs-core';

/** The engine entry point behind `tf.customGrad` (typed private in tfjs-core, public at run time). */
interface KernelFuncEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: Record<string, tf.Tensor>;
  }): tf.Tensor;
}

/**
 * Like `tf.customGrad`, but each input's gradient is a thunk that the engine calls only if that input leads
 * to a variable being differentiated. `tf.customGrad` computes all of them eagerly, which would compute the
 * (large, unused) gradient with respect to the images at a network's first layer.
 */
export function lazyGradientOp<T extends tf.Tensor>(
  inputs: tf.Tensor[],
  forward: (save: tf.GradSaveFunc) => T,
  backward: (dy: T, saved: tf.Tensor[]) => (() => tf.Tensor)[],
): T {
  const engine = tf.engine() as unknown as KernelFuncEngine;
  const inputMap: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => {
    inputMap[i] = t;
  });
  return engine.runKernelFunc({
    forwardFunc: (_backend, save) => forward(save),
    backwardsFunc: (dy, saved) => {
      const thunks = backward(dy as T, saved);
      const map: Record<string, () => tf.Tensor> = {};
      thunks.forEach((thunk, i) => {
        map[i] = thunk;
      });
      return map;
    },
    inputs: inputMap,
  }) as T;
}
