import * as tf from '@tensorflow/tfjs-core';
import type { WasmKernelArgs, WasmKernelBackend } from './wasm-kernel';

/**
 * Replaces wasm's `MaxPoolGrad` with a host loop that routes each output's gradient to the first maximum of its
 * window, as PyTorch does. wasm's kernel is a plain single-threaded loop that took 180-220 ms for ResNet-18's
 * stem pool at batch 8 (6 % of the step), where this one took 75-150 ms; it also dropped the gradient of
 * windows whose maximum is negative. Idempotent; a no-op without the wasm backend.
 */
export function hostMaxPoolGrad(): void {
  const current = tf.getKernel('MaxPoolGrad', 'wasm');
  if (!current || current.kernelFunc === maxPoolGrad) return;
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad });
}

function maxPoolGrad(args: WasmKernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmKernelBackend;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const out = backend.makeOutput(input.shape, 'float32');
  // Views of the wasm heap, taken after the output's allocation (which may grow the heap and detach older views).
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const at = new Int32Array(c);
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      // The window's rows and columns inside the input: padded cells are skipped, and PyTorch's geometry keeps
      // at least one real cell in every window.
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(h, oy * sh - top + fh);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(w, ox * sw - left + fw);
        // Row-major over the window with a strict '>': the first maximum wins, as in PyTorch.
        const first = ((n * h + y0) * w + x0) * c;
        for (let ch = 0; ch < c; ch++) at[ch] = first + ch;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = iy === y0 ? x0 + 1 : x0; ix < x1; ix++) {
            const base = ((n * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              if (x[base + ch] > x[at[ch]]) at[ch] = base + ch;
            }
          }
        }
        const from = ((n * outHeight + oy) * outWidth + ox) * c;
        for (let ch = 0; ch < c; ch++) dx[at[ch]] += g[from + ch];
      }
    }
  }
  return out;
}
