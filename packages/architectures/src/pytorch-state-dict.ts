import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';

/** One tensor of a PyTorch state_dict: shape in PyTorch's layout, data flat in row-major order. */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

/** A PyTorch state_dict: module path + parameter name -> tensor. */
export type TorchStateDict = Record<string, TorchTensor>;

/** Input of {@link loadPytorchStateDict}; data may be any array of numbers (e.g. parsed from JSON). */
export type TorchStateDictInput = Record<string, { shape: number[]; data: ArrayLike<number> }>;

/** Result of {@link loadPytorchStateDict}. */
export interface LoadReport {
  /** Keys written into the model. */
  loaded: string[];
  /** Keys that have no counterpart by design: `num_batches_tracked`, feedback buffers of rules that keep none. */
  ignored: string[];
  /** Model weights the dict did not provide (only when `strict` is false; otherwise an error). */
  missing: string[];
}

// tfjs weight name (after the layer name) -> PyTorch parameter/buffer name. The reference code's
// feedback-alignment buffer is called `fixed`; other rule state keeps its own name.
const TORCH_NAMES: Record<string, string> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  runningMean: 'running_mean',
  runningVar: 'running_var',
  feedback: 'fixed',
};

const FEEDBACK_BUFFERS = new Set(['fixed', 'magnitude']);

/** The PyTorch state_dict key of a model weight (`layers.0.c1/kernel` -> `layers.0.c1.weight`). */
export function pytorchName(layerName: string, weight: LayerVariable): string {
  const short = weight.originalName.slice(weight.originalName.lastIndexOf('/') + 1);
  return `${layerName}.${TORCH_NAMES[short] ?? short}`;
}

/** PyTorch shape of a tfjs weight shape: conv HWIO -> OIHW, dense [in, out] -> [out, in]. */
export function pytorchShape(shape: number[]): number[] {
  if (shape.length === 4) return [shape[3], shape[2], shape[0], shape[1]];
  if (shape.length === 2) return [shape[1], shape[0]];
  return [...shape];
}

/** A tfjs-layout tensor in PyTorch's layout (conv HWIO -> OIHW, dense [in, out] -> [out, in]). */
export function toPytorchLayout(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [3, 2, 0, 1]);
  if (t.rank === 2) return tf.transpose(t, [1, 0]);
  return tf.clone(t);
}

/** A PyTorch-layout tensor in tfjs's layout (conv OIHW -> HWIO, dense [out, in] -> [in, out]). */
export function fromPytorchLayout(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [2, 3, 1, 0]);
  if (t.rank === 2) return tf.transpose(t, [1, 0]);
  return tf.clone(t);
}

function namedWeights(model: LayersModel): Map<string, LayerVariable> {
  const out = new Map<string, LayerVariable>();
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const key = pytorchName(layer.name, w);
      if (out.has(key)) throw new Error(`pytorchStateDict: two weights map to '${key}'`);
      out.set(key, w);
    }
  }
  return out;
}

/**
 * The model's weights as a PyTorch state_dict: parameters, batch-norm running statistics and rule state (fa
 * feedback as `<layer>.fixed`, as in the reference code), in PyTorch layouts.
 */
export function pytorchStateDict(model: LayersModel): TorchStateDict {
  const dict: TorchStateDict = {};
  for (const [key, w] of namedWeights(model)) {
    const t = toPytorchLayout(w.read());
    dict[key] = { shape: t.shape, data: t.dataSync() as Float32Array };
    t.dispose();
  }
  return dict;
}

/**
 * Writes a PyTorch state_dict into the model (converting layouts). With `strict` (default), a model weight
 * missing from the dict or a key that matches no weight is an error; `num_batches_tracked` and feedback buffers
 * of layers whose rule keeps none are ignored either way.
 */
export function loadPytorchStateDict(
  model: LayersModel,
  dict: TorchStateDictInput,
  options: { strict?: boolean } = {},
): LoadReport {
  const strict = options.strict ?? true;
  const weights = namedWeights(model);
  const layerNames = new Set(model.layers.map((l) => l.name));
  const report: LoadReport = { loaded: [], ignored: [], missing: [] };
  const unknown: string[] = [];
  for (const key of Object.keys(dict)) {
    if (weights.has(key)) continue;
    const dot = key.lastIndexOf('.');
    const [layer, param] = [key.slice(0, dot), key.slice(dot + 1)];
    if (param === 'num_batches_tracked' || (FEEDBACK_BUFFERS.has(param) && layerNames.has(layer))) {
      report.ignored.push(key);
    } else {
      unknown.push(key);
    }
  }
  for (const key of weights.keys()) if (!(key in dict)) report.missing.push(key);
  if (strict && (unknown.length > 0 || report.missing.length > 0)) {
    const list = (keys: string[]) =>
      keys.slice(0, 10).join(', ') + (keys.length > 10 ? `, ... (${keys.length})` : '');
    const parts = [];
    if (report.missing.length > 0) parts.push(`missing keys: ${list(report.missing)}`);
    if (unknown.length > 0) parts.push(`unexpected keys: ${list(unknown)}`);
    throw new Error(`loadPytorchStateDict: ${parts.join('; ')}`);
  }
  // Check every shape before writing anything, so a bad dict leaves the model untouched.
  for (const [key, w] of weights) {
    const entry = dict[key];
    if (!entry) continue;
    const expected = pytorchShape(w.shape as number[]);
    const size = expected.reduce((a, b) => a * b, 1);
    if (!tf.util.arraysEqual(entry.shape, expected) || entry.data.length !== size) {
      throw new Error(
        `loadPytorchStateDict: '${key}' has shape [${entry.shape}] (${entry.data.length} values), expected [${expected}]`,
      );
    }
  }
  for (const [key, w] of weights) {
    const entry = dict[key];
    if (!entry) continue;
    tf.tidy(() => {
      const data = entry.data instanceof Float32Array ? entry.data : Float32Array.from(entry.data);
      w.write(fromPytorchLayout(tf.tensor(data, entry.shape, 'float32')));
    });
    report.loaded.push(key);
  }
  return report;
}
