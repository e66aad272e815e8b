import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry';
import { readOnHost, tensorFromHost } from './host-memory';

/** How the input gradient `dx = dy * B^T` of a convolution is computed. */
export type InputGradientMethod = 'native' | 'phase-conv';

/**
 * `dx` through the backend's own `Conv2DBackpropInput` kernel (what tfjs autodiff uses).
 * Fast on tfjs-node; slow on wasm (~1.8 GFLOP/s).
 */
export function conv2dInputGradNative(dy: tf.Tensor4D, feedback: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: feedback }, {
    strides: [g.stride, g.stride],
    pad: g.tfPadding,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    inputShape: [g.batch, g.inHeight, g.inWidth, g.inChannels],
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** One stride phase of one spatial dimension: which filter taps reach which `dy` rows. */
interface Phase {
  /** Number of output rows `i = stride*q + offset` in this phase. */
  rows: number;
  /** First filter tap of the phase (taps are `first, first+stride, ...`). */
  firstTap: number;
  /** Number of taps. */
  taps: number;
  /** `dy` index paired with the last tap at `q = 0`. */
  dyStart: number;
}

/** The phase of rows `offset, offset + stride, ...`; `pad` is the zeros before the first row (top or left). */
function phase(offset: number, inSize: number, kernel: number, stride: number, pad: number): Phase {
  const rows = offset < inSize ? Math.ceil((inSize - offset) / stride) : 0;
  const firstTap = (offset + pad) % stride;
  const taps = firstTap < kernel ? Math.ceil((kernel - firstTap) / stride) : 0;
  const shift = (offset + pad - firstTap) / stride;
  return { rows, firstTap, taps, dyStart: shift - taps + 1 };
}

/**
 * `dx` as stride-1 forward convolutions, one per stride phase (sub-pixel decomposition).
 *
 * For stride s, input rows `i = s*q + a` receive only the filter taps `k ≡ a + pad (mod s)`; each phase is a
 * plain correlation of `dy` with the flipped, in/out-transposed sub-filter. Together the phases do exactly the
 * forward pass's multiply-adds, so this runs at the backend's forward conv speed (wasm: XNNPACK) instead of
 * its transposed-conv speed, and without the s^2 zeros that dilating `dy` would add.
 */
export function conv2dInputGradPhases(dy: tf.Tensor4D, feedback: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const s = g.stride;
  const shape: [number, number, number, number] = [g.batch, g.inHeight, g.inWidth, g.inChannels];
  if (s === 1) {
    const ph = phase(0, g.inHeight, g.kernelHeight, 1, g.padTop);
    const pw = phase(0, g.inWidth, g.kernelWidth, 1, g.padLeft);
    return tf.tidy(() => phasePart(dy, feedback, g, ph, pw) ?? (tf.zeros(shape) as tf.Tensor4D));
  }
  return tf.tidy(() => {
    const parts: { part: tf.Tensor4D; a: number; b: number; rows: number; cols: number }[] = [];
    for (let a = 0; a < s; a++) {
      const ph = phase(a, g.inHeight, g.kernelHeight, s, g.padTop);
      for (let b = 0; b < s; b++) {
        const pw = phase(b, g.inWidth, g.kernelWidth, s, g.padLeft);
        const part = phasePart(dy, feedback, g, ph, pw);
        // No tap or dy row reaches this phase: its entries stay zero.
        if (part) parts.push({ part, a, b, rows: ph.rows, cols: pw.rows });
      }
    }
    return tensorFromHost(shape, (out) => {
      for (const { part, a, b, rows, cols } of parts)
        scatterPhase(readOnHost(part), a, b, rows, cols, g, out);
    }) as tf.Tensor4D;
  });
}

/**
 * Writes one phase to rows s*q + a and columns s*r + b of dx. Done on the host: wasm's concat, stack,
 * transpose and depthToSpace move such small inner blocks 50-100x slower than this loop (measured).
 */
function scatterPhase(
  src: Float32Array,
  a: number,
  b: number,
  rows: number,
  cols: number,
  g: ConvGeometry,
  out: Float32Array,
): void {
  const { stride: s, inChannels: c, inHeight, inWidth } = g;
  for (let n = 0; n < g.batch; n++) {
    for (let q = 0; q < rows; q++) {
      const from0 = (n * rows + q) * cols * c;
      const to0 = ((n * inHeight + s * q + a) * inWidth + b) * c;
      for (let r = 0; r < cols; r++) {
        const from = from0 + r * c;
        const to = to0 + s * r * c;
        for (let i = 0; i < c; i++) out[to + i] = src[from + i];
      }
    }
  }
}

/**
 * The phase's sub-filter `B[firstTap + s*m]`, flipped and with in/out swapped: `[tapsH, tapsW, out, in]`.
 * Built on the host from the (small) filter: wasm's Reverse and StridedSlice cost more than the conv.
 */
function phaseKernel(feedback: tf.Tensor4D, g: ConvGeometry, ph: Phase, pw: Phase): tf.Tensor4D {
  const { stride: s, kernelWidth: kw, inChannels: cin, outChannels: cout } = g;
  return tensorFromHost([ph.taps, pw.taps, cout, cin], (out) => {
    const b = readOnHost(feedback);
    let o = 0;
    for (let i = 0; i < ph.taps; i++) {
      const kh = ph.firstTap + s * (ph.taps - 1 - i);
      for (let j = 0; j < pw.taps; j++) {
        const base = (kh * kw + pw.firstTap + s * (pw.taps - 1 - j)) * cin * cout;
        for (let co = 0; co < cout; co++) {
          for (let ci = 0; ci < cin; ci++) out[o++] = b[base + ci * cout + co];
        }
      }
    }
  }) as tf.Tensor4D;
}

/** The stride-1 convolution of one phase, or null when no filter tap or no dy row reaches it. */
function phasePart(
  dy: tf.Tensor4D,
  feedback: tf.Tensor4D,
  g: ConvGeometry,
  ph: Phase,
  pw: Phase,
): tf.Tensor4D | null {
  if (ph.rows === 0 || pw.rows === 0 || ph.taps === 0 || pw.taps === 0) return null;
  const kernel = phaseKernel(feedback, g, ph, pw);
  // dy rows [dyStart, dyStart + rows + taps - 1) feed this phase; outside [0, outHeight) they are zero.
  const [sliced, padding] = window(dy, g, ph, pw);
  if (sliced === null) return null;
  return tf.conv2d(sliced, kernel, 1, padding);
}

function window(
  dy: tf.Tensor4D,
  g: ConvGeometry,
  ph: Phase,
  pw: Phase,
): [tf.Tensor4D | null, [[0, 0], [number, number], [number, number], [0, 0]]] {
  const span = (p: Phase, size: number) => {
    const lo = p.dyStart;
    const hi = p.dyStart + p.rows + p.taps - 1;
    const start = Math.max(0, lo);
    const end = Math.min(size, hi);
    return { start, size: Math.max(0, end - start), before: start - lo, after: hi - Math.max(end, start) };
  };
  const h = span(ph, g.outHeight);
  const w = span(pw, g.outWidth);
  if (h.size === 0 || w.size === 0)
    return [
      null,
      [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ],
    ];
  const whole = h.start === 0 && w.start === 0 && h.size === g.outHeight && w.size === g.outWidth;
  const sliced = whole
    ? dy
    : tf.slice(dy, [0, h.start, w.start, 0], [g.batch, h.size, w.size, g.outChannels]);
  return [
    sliced,
    [
      [0, 0],
      [h.before, h.after],
      [w.before, w.after],
      [0, 0],
    ],
  ];
}
