/** Geometry of a 2-D convolution with symmetric explicit padding, as PyTorch's `Conv2d(padding=pad)`. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  outChannels: number;
  stride: number;
  pad: number;
  outHeight: number;
  outWidth: number;
}

/** Validates shapes and computes the output size of an NHWC convolution with a `[kh, kw, in, out]` filter. */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  stride: number,
  pad: number,
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
  if (!Number.isInteger(pad) || pad < 0) {
    throw new Error(`${who}: pad must be a non-negative integer, got ${pad}`);
  }
  const [batch, inHeight, inWidth, inChannels] = xShape;
  const [kernelHeight, kernelWidth, filterIn, outChannels] = filterShape;
  if (filterIn !== inChannels) {
    throw new Error(
      `${who}: input has ${inChannels} channels but filter [${filterShape}] expects ${filterIn} (input shape [${xShape}])`,
    );
  }
  const outHeight = Math.floor((inHeight + 2 * pad - kernelHeight) / stride) + 1;
  const outWidth = Math.floor((inWidth + 2 * pad - kernelWidth) / stride) + 1;
  if (outHeight < 1 || outWidth < 1) {
    throw new Error(
      `${who}: input [${xShape}] with pad ${pad} is smaller than the ${kernelHeight}x${kernelWidth} filter`,
    );
  }
  return {
    batch,
    inHeight,
    inWidth,
    inChannels,
    kernelHeight,
    kernelWidth,
    outChannels,
    stride,
    pad,
    outHeight,
    outWidth,
  };
}

/** tfjs explicit padding for NHWC with `pad` on every side. */
export function explicitPadding(pad: number): [[0, 0], [number, number], [number, number], [0, 0]] {
  return [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
}
