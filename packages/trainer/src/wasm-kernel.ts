import type * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's backend that BioProp's replacement kernels use. */
export interface WasmKernelBackend {
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.TypedArray,
  ): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  /** A view of a tensor's memory in the wasm heap; an allocation may grow the heap and detach older views. */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** What tfjs passes a kernel function. */
export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** A kernel function of the wasm backend, as registered with tfjs. */
export type WasmKernelFunc = (args: WasmKernelArgs) => tf.TensorInfo;
