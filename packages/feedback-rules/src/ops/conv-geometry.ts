/**
 * Padding of a 2-D convolution, as tfjs takes it:
 * - a number: that many zeros on every side (PyTorch `Conv2d(padding=pad)`, the paper's convolutions);
 * - `'valid'`: none;
 * - `'same'`: tfjs's (and TensorFlow's) 'same', an output of `ceil(in / stride)` with the odd row or column of
 *   padding at the bottom or right, so it is asymmetric at stride 2 on even inputs;
 * - explicit pads per side, `[[top, bottom], [left, right]]`, or tfjs's NHWC form
 *   `[[0, 0], [top, bottom], [left, right], [0, 0]]`.
 */
export type ConvPadding =
  | number
  | 'same'
  | 'valid'
  | [[number, number], [number, number]]
  | [[number, number], [number, number], [number, number], [number, number]];

/** tfjs's explicit NHWC padding. */
export type ExplicitPadding = [[0, 0], [number, number], [number, number], [0, 0]];

/** Geometry of a 2-D convolution: sizes, stride and the zeros added on each side. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  outChannels: number;
  stride: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outHeight: number;
  outWidth: number;
  /** The padding as tfjs's conv kernels take it: 'same' and 'valid' as given, anything else explicit. */
  tfPadding: 'same' | 'valid' | ExplicitPadding;
}

/** Zeros before and after one spatial dimension. */
export interface SidePads {
  before: number;
  after: number;
}

/** The pads of one spatial dimension (`axis` 0: height, 1: width) for an input of `inSize`. */
export function sidePads(
  padding: ConvPadding,
  axis: 0 | 1,
  inSize: number,
  kernel: number,
  stride: number,
): SidePads {
  if (typeof padding === 'number') return { before: padding, after: padding };
  if (padding === 'valid') return { before: 0, after: 0 };
  if (padding === 'same') {
    // TensorFlow's rule: the output is ceil(in / stride), the odd zero goes after.
    const total = Math.max((Math.ceil(inSize / stride) - 1) * stride + kernel - inSize, 0);
    const before = Math.floor(total / 2);
    return { before, after: total - before };
  }
  const [before, after] = padding.length === 4 ? padding[axis + 1] : padding[axis];
  return { before, after };
}

/** Output size of one dimension, or null when the input size is unknown. */
export function convOutputSize(
  inSize: number | null,
  kernel: number,
  stride: number,
  padding: ConvPadding,
  axis: 0 | 1,
): number | null {
  if (inSize == null) return null;
  const { before, after } = sidePads(padding, axis, inSize, kernel, stride);
  return Math.floor((inSize + before + after - kernel) / stride) + 1;
}

/** Checks a padding argument; returns a message saying what is wrong, or null. */
export function paddingError(padding: unknown): string | null {
  const pad = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (padding === 'same' || padding === 'valid' || pad(padding)) return null;
  const pairs = (rows: unknown[]) =>
    rows.every((r) => Array.isArray(r) && r.length === 2 && pad(r[0]) && pad(r[1]));
  if (Array.isArray(padding) && padding.length === 2 && pairs(padding)) return null;
  if (Array.isArray(padding) && padding.length === 4 && pairs(padding)) {
    const [n, , , c] = padding as number[][];
    if (n[0] === 0 && n[1] === 0 && c[0] === 0 && c[1] === 0) return null;
    return `explicit NHWC padding must not pad the batch or channels, got ${JSON.stringify(padding)}`;
  }
  return (
    `pad must be a non-negative integer, 'same', 'valid', [[top, bottom], [left, right]] or ` +
    `[[0, 0], [top, bottom], [left, right], [0, 0]], got ${JSON.stringify(padding)}`
  );
}

/** Validates shapes and computes the output size of an NHWC convolution with a `[kh, kw, in, out]` filter. */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  stride: number,
  padding: ConvPadding,
  who = 'asymmetricConv2d',
): ConvGeometry {
  if (xShape.length !== 4) {
    throw new Error(`${who}: input must be rank 4 [batch, height, width, channels], got shape [${xShape}]`);
  }
  if (filterShape.length !== 4) {
    throw new Error(`${who}: filter must be rank 4 [kh, kw, in, out], got shape [${filterShape}]`);
  }
  if (!Number.isInteger(stride) || stride < 1) {
    throw new Error(`${who}: strides must be a positive integer, got ${stride}`);
  }
  const bad = paddingError(padding);
  if (bad) throw new Error(`${who}: ${bad}`);
  const [batch, inHeight, inWidth, inChannels] = xShape;
  const [kernelHeight, kernelWidth, filterIn, outChannels] = filterShape;
  if (filterIn !== inChannels) {
    throw new Error(
      `${who}: input has ${inChannels} channels but filter [${filterShape}] expects ${filterIn} (input shape [${xShape}])`,
    );
  }
  const h = sidePads(padding, 0, inHeight, kernelHeight, stride);
  const w = sidePads(padding, 1, inWidth, kernelWidth, stride);
  const outHeight = Math.floor((inHeight + h.before + h.after - kernelHeight) / stride) + 1;
  const outWidth = Math.floor((inWidth + w.before + w.after - kernelWidth) / stride) + 1;
  if (outHeight < 1 || outWidth < 1) {
    throw new Error(
      `${who}: input [${xShape}] with pad ${JSON.stringify(padding)} is smaller than the ${kernelHeight}x${kernelWidth} filter`,
    );
  }
  const explicit: ExplicitPadding = [
    [0, 0],
    [h.before, h.after],
    [w.before, w.after],
    [0, 0],
  ];
  return {
    batch,
    inHeight,
    inWidth,
    inChannels,
    kernelHeight,
    kernelWidth,
    outChannels,
    stride,
    padTop: h.before,
    padBottom: h.after,
    padLeft: w.before,
    padRight: w.after,
    outHeight,
    outWidth,
    tfPadding: padding === 'same' || padding === 'valid' ? padding : explicit,
  };
}

/** tfjs explicit padding for NHWC with `pad` on every side. */
export function explicitPadding(pad: number): ExplicitPadding {
  return [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
}
