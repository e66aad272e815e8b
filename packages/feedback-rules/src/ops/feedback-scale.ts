/** Kind of layer whose weights a feedback matrix mirrors. */
export type WeightKind = 'conv2d' | 'dense';

/**
 * The feedback scale `s` of the paper's code: conv `sqrt(2 / (kh*kw*out))`, dense `1 / sqrt(in)`.
 * Conv kernels are `[kh, kw, in, out]`, dense kernels `[in, out]`.
 */
export function feedbackScale(kind: WeightKind, kernelShape: number[]): number {
  if (kind === 'conv2d') {
    if (kernelShape.length !== 4) {
      throw new Error(`feedbackScale: a conv2d kernel is [kh, kw, in, out], got shape [${kernelShape}]`);
    }
    const [kh, kw, , out] = kernelShape;
    return Math.sqrt(2 / (kh * kw * out));
  }
  if (kind === 'dense') {
    if (kernelShape.length !== 2) {
      throw new Error(`feedbackScale: a dense kernel is [in, out], got shape [${kernelShape}]`);
    }
    return 1 / Math.sqrt(kernelShape[0]);
  }
  throw new Error(`feedbackScale: unknown kind '${kind as string}' (expected 'conv2d' or 'dense')`);
}
