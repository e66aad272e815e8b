import { type LayerFeedback, layerFeedback, type SGD } from '@bioprop/feedback-rules';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { leafLayers } from './model-layers';

/** The feedback side of every asymmetric layer of a model (nested models included), by layer name. */
export function feedbackLayers(model: LayersModel): [string, LayerFeedback][] {
  const out: [string, LayerFeedback][] = [];
  for (const { layer } of leafLayers(model)) {
    const fb = layerFeedback(layer);
    if (fb) out.push([layer.name, fb]);
  }
  return out;
}

/**
 * Lets every rule that learns its feedback do so after optimizer step `globalStep` (1 for the first step):
 * `update` with the kernel's gradient and optimizer settings, then the mirror phase where it is due. The loop
 * knows no rule: each layer's rule says what it needs. Tensor ops only; call inside `tf.tidy`. A layer whose
 * kernel the optimizer does not train (frozen) learns nothing after the step. `applied` (a boolean scalar) guards
 * the changes as it guards the optimizer's step.
 */
export function learnFeedback(
  layers: [string, LayerFeedback][],
  sgd: SGD,
  grads: tf.NamedTensorMap,
  globalStep: number,
  applied?: tf.Tensor,
): void {
  for (const [, fb] of layers) {
    if (!fb.learnsAfterStep || !fb.kernel) continue;
    const name = (fb.kernel.read() as tf.Variable).name;
    const grad = grads[name];
    const settings = sgd.settingsOf(name);
    if (grad && settings) fb.update(grad, settings, applied);
  }
  for (const [, fb] of layers) if (fb.mirrorDue(globalStep)) fb.mirror(undefined, applied);
}
