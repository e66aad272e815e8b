import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Number of trainable parameters, as PyTorch's `sum(p.numel() for p in model.parameters())`: kernels, biases and
 * batch-norm gamma/beta; running statistics and feedback state are not parameters.
 */
export function countParameters(model: tfl.LayersModel): number {
  let n = 0;
  for (const w of model.trainableWeights) n += (w.shape as number[]).reduce((a, b) => a * b, 1);
  return n;
}
