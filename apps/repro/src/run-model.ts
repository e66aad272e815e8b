import { buildModel } from '@bioprop/architectures';
import type { GroupSpec } from '@bioprop/trainer';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RunConfig } from './presets';

/** The model a run config describes (same config and seed: same init and random feedback). */
export function modelFor(config: RunConfig): LayersModel {
  return buildModel({
    arch: config.arch,
    rule: config.rule,
    lastRule: config.lastRule,
    inputChannels: config.inputChannels,
    classes: config.classes,
    inputSize: config.inputSize,
    seed: config.seed,
    ...(config.arch === 'alexnet' ? {} : { width: config.width, stem: config.stem }),
  });
}

/** Optimizer groups: the classifier (the model's output layer) and everything else. */
export function optimizerGroups(model: LayersModel, config: RunConfig): GroupSpec[] {
  const last = model.layers[model.layers.length - 1].name;
  const shared = {
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    batchManhattan: config.batchManhattan,
    noSignChange: config.noSignChange,
  };
  return [
    { name: 'last', layers: [last], lr: config.lastLr ?? config.lr, ...shared },
    { name: 'hidden', lr: config.lr, ...shared },
  ];
}
