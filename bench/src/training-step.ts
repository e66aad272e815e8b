import { type BuildModelOptions, buildModel } from '@bioprop/architectures';
import { RetinaNet, retinaNetLosses } from '@bioprop/detection';
import { SGD } from '@bioprop/feedback-rules';
import { crossEntropy } from '@bioprop/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fixedTargets } from './detection-targets';
import type { NetworkSpec } from './networks';

/** A network with its optimizer and fixed batch, ready to train on the active backend. */
export interface TrainingStep {
  /** One training step (forward, loss, backward, SGD update); resolves to the loss. */
  step(): Promise<number>;
  /** Waits until every queued kernel has run (the last step's update included on an asynchronous backend). */
  sync(): Promise<void>;
  dispose(): void;
}

/** The optimizer settings of every measurement (the mosaic-retinanet preset's; the speed does not depend on them). */
const SGD_SETTINGS = { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 };

/**
 * Builds `spec` with `rule` (every conv and hidden dense layer; the classifier keeps bp, as in the paper) and its
 * training step, shaped as the trainer's loop runs it (packages/trainer/src/train.ts): gradients under a tidy,
 * the loss read asynchronously, then the SGD step. Only reads that every backend allows are used, so the same
 * step runs on wasm and on webgpu.
 */
export function createTrainingStep(spec: NetworkSpec, rule: string): TrainingStep {
  const { model, loss, dispose } =
    spec.kind === 'retinanet' ? retinaNetLoss(spec, rule) : classifierLoss(spec, rule);
  const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sgd = new SGD([{ name: 'all', params, ...SGD_SETTINGS }]);
  return {
    async step() {
      const { value, grads } = tf.tidy(() => tf.variableGrads(loss, params));
      const lossValue = (await value.data())[0];
      tf.tidy(() => sgd.step(grads));
      tf.dispose([value, ...Object.values(grads)]);
      return lossValue;
    },
    async sync() {
      await params[0].data();
    },
    dispose() {
      sgd.dispose();
      dispose();
      model.dispose();
    },
  };
}

interface LossOf {
  model: tfl.LayersModel;
  /** The scalar loss of the fixed batch, in training mode. */
  loss: () => tf.Scalar;
  /** Frees the fixed batch. */
  dispose: () => void;
}

/** The @bioprop/architectures options of each classifier beyond its input, classes and rules. */
type Architecture = Pick<BuildModelOptions, 'arch' | 'stem' | 'width'>;
const ARCHITECTURE: Partial<Record<NetworkSpec['name'], Architecture>> = {
  resnet18: { arch: 'resnet18', stem: 'imagenet', width: 64 },
  // buildModel's 'alexnet' is the paper's AlexNet with batch norm.
  'alexnet-bn': { arch: 'alexnet' },
  // The fashion presets' network: the small-image stem (3x3/1, no pool) at width 16.
  'fashion-mini': { arch: 'resnet18', stem: 'small', width: 16 },
};

/** The classifier `spec` names with `rule` (the classifier layer keeps bp), as every measurement builds it. */
export function benchClassifier(spec: NetworkSpec, rule: string): tfl.LayersModel {
  const arch = ARCHITECTURE[spec.name];
  if (!arch) throw new Error(`${spec.name} is not a classifier`);
  return buildModel({
    ...arch,
    ...(spec.width === undefined ? {} : { width: spec.width }),
    rule,
    lastRule: 'bp',
    inputSize: spec.size,
    inputChannels: spec.inputChannels,
    classes: spec.classes,
    seed: 1,
  });
}

/** A classifier from @bioprop/architectures and cross-entropy on a fixed random batch (as the trainer's task). */
function classifierLoss(spec: NetworkSpec, rule: string): LossOf {
  const model = benchClassifier(spec, rule);
  const x = tf.randomNormal([spec.batch, spec.size, spec.size, spec.inputChannels], 0, 1, 'float32', 1);
  const y = tf.tensor1d(
    Array.from({ length: spec.batch }, (_, i) => i % spec.classes),
    'int32',
  );
  return {
    model,
    loss: () => crossEntropy(model.apply(x, { training: true }) as tf.Tensor2D, y),
    dispose: () => tf.dispose([x, y]),
  };
}

/**
 * The mosaic-retinanet preset's detector (apps/repro: ResNet-18 width 16, 1 channel, FPN 64 from P5, anchors
 * 16..256) and torchvision's two losses on fixed boxes; the input is already normalised, as the data pipeline
 * delivers it.
 */
function retinaNetLoss(spec: NetworkSpec, rule: string): LossOf {
  const net = new RetinaNet({
    classes: spec.classes,
    depth: 18,
    width: 16,
    inputChannels: spec.inputChannels,
    fpnChannels: 64,
    extraLevels: 'p5',
    anchorBaseSizes: [16, 32, 64, 128, 256],
    rule,
    seed: 0,
  });
  const x = tf.randomNormal([spec.batch, spec.size, spec.size, spec.inputChannels], 0, 1, 'float32', 1);
  const { anchors } = net.anchorsFor(spec.size, spec.size);
  const targets = fixedTargets(spec.batch, spec.size, spec.classes);
  return {
    model: net.model,
    loss: () => {
      const { classLogits, boxDeltas } = net.apply(x as tf.Tensor4D, true);
      const { classification, boxRegression } = retinaNetLosses(classLogits, boxDeltas, anchors, targets);
      return tf.add(classification, boxRegression) as tf.Scalar;
    },
    dispose: () => x.dispose(),
  };
}
