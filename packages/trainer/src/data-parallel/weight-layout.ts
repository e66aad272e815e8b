import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { leafLayers } from '../model-layers';

/** One weight's place in a flat float32 array shared between replicas. */
export interface WeightSlot {
  /** Index in `model.weights`: every replica builds the same model, so the same index is the same weight. */
  index: number;
  /** `layer/weight`, for error messages. */
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** State each replica keeps for itself (batch norm running statistics). */
  perReplica?: boolean;
}

/** Weights laid out end to end, and the float count of the whole. */
export interface WeightLayout {
  slots: WeightSlot[];
  length: number;
}

function layout(model: LayersModel, indices: number[]): WeightLayout {
  let offset = 0;
  const slots = indices.map((index) => {
    const w = model.weights[index];
    const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const slot = { index, name: w.originalName, shape: w.shape as number[], offset, size };
    offset += size;
    return slot;
  });
  return { slots, length: offset };
}

/** The layout of the gradients: the optimizer's variables, in its order. */
export function gradientLayout(model: LayersModel, trainables: tf.Variable[]): WeightLayout {
  const indexOf = new Map(model.weights.map((w, i) => [w.read(), i]));
  return layout(
    model,
    trainables.map((v) => {
      const i = indexOf.get(v);
      if (i === undefined)
        throw new Error(`data-parallel: variable '${v.name}' is not a weight of the model`);
      return i;
    }),
  );
}

/**
 * Batch norm running statistics: the one state every replica keeps for itself (each normalises its own share and
 * updates its own statistics, as PyTorch DDP without SyncBatchNorm). A frozen batch norm's statistics never move
 * and are shared like any weight.
 */
export function replicaBuffers(model: LayersModel): Set<LayerVariable> {
  const out = new Set<LayerVariable>();
  for (const { layer } of leafLayers(model)) {
    if (!/BatchNorm/i.test(layer.getClassName()) || (layer as { frozen?: boolean }).frozen) continue;
    for (const w of layer.nonTrainableWeights) out.add(w);
  }
  return out;
}

/**
 * The layout of the model state the first replica publishes: every weight. Batch norm running statistics are
 * marked `perReplica`: they are sent once, at the start, and each replica keeps its own after that; the rest
 * (trainable weights and the rules' feedback state such as Kolen-Pollack's and the weight mirror's B) after
 * every step.
 */
export function stateLayout(model: LayersModel): WeightLayout {
  const own = replicaBuffers(model);
  const all = layout(
    model,
    model.weights.map((_, i) => i),
  );
  for (const s of all.slots) s.perReplica = own.has(model.weights[s.index]);
  return all;
}

/**
 * Why a replica's model does not match the layout, or null: the same weights at the same indices with the same
 * shapes.
 */
export function layoutMismatch(
  model: LayersModel,
  expectedWeights: number,
  slots: WeightSlot[],
): string | null {
  if (model.weights.length !== expectedWeights) {
    return `it has ${model.weights.length} weights, the main model ${expectedWeights}`;
  }
  for (const s of slots) {
    const w = model.weights[s.index];
    if (w.shape.join(',') !== s.shape.join(',')) {
      return `weight ${s.index} ('${w.originalName}') has shape [${w.shape}], the main model's ('${s.name}') [${s.shape}]`;
    }
  }
  return null;
}
