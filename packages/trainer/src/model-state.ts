import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { feedbackLayers } from './feedback-learning';

/**
 * Every weight of a model (trainable, running statistics, feedback state) by its stable `layer/weight` name,
 * nested models included; two weights of one name (equal layer names in two nested models) are an error.
 */
export function modelTensors(model: LayersModel): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const w of model.weights) {
    if (out[w.originalName]) {
      throw new Error(`the model has two weights named '${w.originalName}': give its layers unique names`);
    }
    out[w.originalName] = w.read();
  }
  return out;
}

/** Writes saved weights back into a model; missing or misshapen weights are an error naming them. */
export function restoreModelTensors(
  model: LayersModel,
  tensors: Record<string, tf.Tensor>,
  source: string,
): void {
  for (const w of model.weights) {
    const t = tensors[w.originalName];
    if (!t)
      throw new Error(
        `${source}: has no weight '${w.originalName}' (was it written by another architecture?)`,
      );
    if (t.shape.join(',') !== w.shape.join(',')) {
      throw new Error(
        `${source}: weight '${w.originalName}' has shape [${t.shape}], the model expects [${w.shape}]`,
      );
    }
    w.write(t);
  }
}

/** Step counters of the model's feedback rules (brsf redraws from them), for exact resume. */
export function feedbackSteps(model: LayersModel): Record<string, number> {
  return Object.fromEntries(feedbackLayers(model).map(([name, fb]) => [name, fb.step]));
}

/** Restores the counters saved by {@link feedbackSteps}. */
export function restoreFeedbackSteps(model: LayersModel, steps: Record<string, number>): void {
  for (const [name, fb] of feedbackLayers(model)) fb.step = steps[name] ?? 0;
}
