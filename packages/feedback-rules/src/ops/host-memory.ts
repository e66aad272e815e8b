import * as tf from '@tensorflow/tfjs-core';
import { backendPlan } from './backend-plan';

/** The parts of tfjs-backend-wasm's backend that give host loops its memory directly. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId): boolean;
}

function heapBackend(): HeapBackend {
  const backend = tf.backend() as unknown as Partial<HeapBackend>;
  if (
    typeof backend.makeOutput !== 'function' ||
    typeof backend.typedArrayFromHeap !== 'function' ||
    typeof backend.disposeData !== 'function'
  ) {
    throw new Error(`backend '${tf.getBackend()}' has no heap to view: its plan's hostMemory must be 'copy'`);
  }
  return backend as HeapBackend;
}

/**
 * The values of a float32 tensor for a host loop to read. On wasm this is a view of the heap, with no copy (a
 * `dataSync` of ResNet-18's tensors cost ~200 ms a step there); it stays valid only until the next tfjs
 * allocation, so read it at once. Elsewhere it is `dataSync`'s array.
 */
export function readOnHost(t: tf.Tensor): Float32Array {
  if (backendPlan().hostMemory === 'copy') return t.dataSync() as Float32Array;
  return heapBackend().typedArrayFromHeap(t);
}

/**
 * A new float32 tensor whose values `write` sets on the host. `write` receives zeros and must not run tfjs ops
 * (on wasm it writes straight into the heap, and an allocation may move the heap).
 */
export function tensorFromHost(shape: number[], write: (values: Float32Array) => void): tf.Tensor {
  if (backendPlan().hostMemory === 'copy') {
    const values = new Float32Array(tf.util.sizeFromShape(shape));
    write(values);
    return tf.tensor(values, shape, 'float32');
  }
  const backend = heapBackend();
  const info = backend.makeOutput(shape, 'float32');
  try {
    const values = backend.typedArrayFromHeap(info);
    values.fill(0);
    write(values);
  } catch (err) {
    // Not yet a tensor, so nothing else would free it.
    backend.disposeData(info.dataId);
    throw err;
  }
  return tf.engine().makeTensorFromTensorInfo(info);
}
