import * as tfl from '@tensorflow/tfjs-layers';
import { basicBlock } from './basic-block';
import { BOTTLENECK_EXPANSION, bottleneck } from './bottleneck';
import { LayerFactory } from './layer-factory';
import { freshModelSeed, positiveInteger, validateRules } from './model-options';

/** The ResNet depths this package builds. */
export type ResNetDepth = 18 | 34 | 50;

/** torchvision's block layout of each depth. */
const RESNET_LAYOUTS: Record<ResNetDepth, { block: 'basic' | 'bottleneck'; counts: readonly number[] }> = {
  18: { block: 'basic', counts: [2, 2, 2, 2] },
  34: { block: 'basic', counts: [3, 4, 6, 3] },
  50: { block: 'bottleneck', counts: [3, 4, 6, 3] },
};

/** 'imagenet': 7x7/2 conv pad 3, BN, ReLU, 3x3/2 max pool pad 1. 'small': 3x3/1 conv pad 1, BN, ReLU. */
export type ResNetStem = 'imagenet' | 'small';

/** Options of {@link resnet}. */
export interface ResNetOptions {
  depth: ResNetDepth;
  /** Rule of every conv and hidden layer. Default 'bp'. */
  rule?: string;
  /** Rule of the classifier. Default 'bp' (as in the paper's code). */
  lastRule?: string;
  /** Channels of the stem and first stage (64 in the standard nets); stages use 1, 2, 4, 8 times it. */
  width?: number;
  /** Default 3. */
  inputChannels?: number;
  /** Default 1000. */
  classes?: number;
  /** Height = width of the input. Default 224. */
  inputSize?: number;
  /** Default 'imagenet'. */
  stem?: ResNetStem;
  /** Fixes all weight init and random feedback. Default: drawn at random (and stored in the layer configs). */
  seed?: number;
  /** Model name. Default `resnet<depth>`. */
  name?: string;
}

/** Options of {@link resnetBackbone}: those of a ResNet without the classifier, plus which stages to return. */
export interface ResNetBackboneOptions {
  depth: ResNetDepth;
  /** Rule of every conv. Default 'bp'. */
  rule?: string;
  /** Channels of the stem and first stage (64 in the standard nets); stages use 1, 2, 4, 8 times it. */
  width?: number;
  /** Default 3. */
  inputChannels?: number;
  /** Default 'imagenet'. */
  stem?: ResNetStem;
  /** Fixes all weight init and random feedback. Default: drawn at random (and stored in the layer configs). */
  seed?: number;
  /** Stages whose outputs the model returns, 1-4 (torchvision's layer1..layer4; C2..C5). Default [2, 3, 4]. */
  stages?: number[];
  /** Put before every layer name, e.g. `backbone.body.` so names match a detector's state_dict keys. */
  namePrefix?: string;
  /** Batch norm as torchvision's FrozenBatchNorm2d, as its detectors use on a pretrained backbone. Default false. */
  frozenBatchNorm?: boolean;
  /** Model name. Default `resnet<depth>_backbone`. */
  name?: string;
}

interface BodySpec {
  who: string;
  depth: ResNetDepth;
  rule: string;
  lastRule: string;
  width: number;
  inputChannels: number;
  stem: ResNetStem;
  seed: number;
  namePrefix: string;
  frozenBatchNorm: boolean;
}

function bodySpec(who: string, o: ResNetBackboneOptions & { lastRule?: string }): BodySpec {
  if (!RESNET_LAYOUTS[o.depth]) {
    throw new Error(
      `resnet: unknown depth ${o.depth} (known depths: ${Object.keys(RESNET_LAYOUTS).join(', ')})`,
    );
  }
  const rule = o.rule ?? 'bp';
  const lastRule = o.lastRule ?? 'bp';
  validateRules(who, rule, lastRule);
  const stem = o.stem ?? 'imagenet';
  if (stem !== 'imagenet' && stem !== 'small') {
    throw new Error(`${who}: unknown stem '${stem}' (known stems: imagenet, small)`);
  }
  return {
    who,
    depth: o.depth,
    rule,
    lastRule,
    width: positiveInteger(who, 'width', o.width ?? 64),
    inputChannels: positiveInteger(who, 'inputChannels', o.inputChannels ?? 3),
    stem,
    seed: o.seed ?? freshModelSeed(),
    namePrefix: o.namePrefix ?? '',
    frozenBatchNorm: o.frozenBatchNorm ?? false,
  };
}

/** The stem and the four stages applied to `input`; returns the factory and each stage's output (C2..C5). */
function resnetBody(
  spec: BodySpec,
  input: tfl.SymbolicTensor,
): { f: LayerFactory; stages: tfl.SymbolicTensor[] } {
  const layout = RESNET_LAYOUTS[spec.depth];
  const { width } = spec;
  const f = new LayerFactory({
    rule: spec.rule,
    lastRule: spec.lastRule,
    seed: spec.seed,
    namePrefix: spec.namePrefix,
    frozenBatchNorm: spec.frozenBatchNorm,
  });
  let h: tfl.SymbolicTensor;
  if (spec.stem === 'imagenet') {
    h = f.conv('stem.0', input, { filters: width, kernelSize: 7, strides: 2, pad: 3 });
    h = f.relu('stem.2', f.batchNorm('stem.1', h));
    h = f.maxPool('stem.3', h, 3, 2, 1);
  } else {
    h = f.conv('stem.0', input, { filters: width, kernelSize: 3, strides: 1, pad: 1 });
    h = f.relu('stem.2', f.batchNorm('stem.1', h));
  }
  const stages: tfl.SymbolicTensor[] = [];
  let inChannels = width;
  let index = 0;
  layout.counts.forEach((count, stage) => {
    const planes = width * 2 ** stage;
    for (let b = 0; b < count; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const prefix = `layers.${index++}`;
      if (layout.block === 'basic') {
        h = basicBlock(f, prefix, h, inChannels, planes, stride);
        inChannels = planes;
      } else {
        h = bottleneck(f, prefix, h, inChannels, planes, stride);
        inChannels = planes * BOTTLENECK_EXPANSION;
      }
    }
    stages.push(h);
  });
  return { f, stages };
}

/**
 * ResNet-18/34/50 with torchvision's topology as a tfjs LayersModel on NHWC input. Layers are named after the
 * PyTorch modules of the reference code: `stem.0` (conv), `stem.1` (BN), `layers.<i>.c1` ... `layers.<i>.down.1`
 * (blocks numbered 0.. across all stages), `fc`.
 */
export function resnet(options: ResNetOptions): tfl.LayersModel {
  const who = `resnet${options.depth}`;
  const spec = bodySpec(who, options);
  const classes = positiveInteger(who, 'classes', options.classes ?? 1000);
  const inputSize = positiveInteger(who, 'inputSize', options.inputSize ?? 224);
  const minSize = spec.stem === 'imagenet' ? 32 : 8;
  if (inputSize < minSize) {
    // Below this the last stage would see an empty feature map.
    throw new Error(
      `${who}: inputSize must be at least ${minSize} with the '${spec.stem}' stem, got ${inputSize}`,
    );
  }
  const input = tfl.input({ shape: [inputSize, inputSize, spec.inputChannels], name: 'input' });
  const { f, stages } = resnetBody(spec, input);
  const h = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(stages[3]) as tfl.SymbolicTensor;
  const logits = f.dense('fc', h, classes, { useBias: true, last: true });
  return tfl.model({ inputs: input, outputs: logits, name: options.name ?? who });
}

/**
 * The convolutional body of a ResNet applied to `input` inside a larger graph (a detector): returns the chosen
 * stages' feature maps. The layers join the caller's model directly; tfjs-layers runs a nested multi-output
 * model once per output, so a detector must not nest {@link resnetBackbone}.
 */
export function resnetFeatures(
  input: tfl.SymbolicTensor,
  options: ResNetBackboneOptions,
): tfl.SymbolicTensor[] {
  const who = `resnet${options.depth} backbone`;
  const spec = bodySpec(who, options);
  const wanted = options.stages ?? [2, 3, 4];
  if (wanted.length === 0 || wanted.some((s) => !Number.isInteger(s) || s < 1 || s > 4)) {
    throw new Error(`${who}: stages must be a non-empty list of 1, 2, 3 or 4, got [${wanted.join(', ')}]`);
  }
  const { stages } = resnetBody(spec, input);
  return wanted.map((s) => stages[s - 1]);
}

/**
 * The convolutional body of a ResNet as a feature-extractor model for any input size: input `[N, H, W, C]`,
 * outputs the chosen stages' feature maps (default C3, C4, C5 at strides 8, 16, 32 with the ImageNet stem).
 * Same layers, names, init and seeds as {@link resnet} without `fc`, so a classifier's weights load into it by
 * name.
 */
export function resnetBackbone(options: ResNetBackboneOptions): tfl.LayersModel {
  const prefix = options.namePrefix ?? '';
  const input = tfl.input({ shape: [null, null, options.inputChannels ?? 3], name: `${prefix}input` });
  return tfl.model({
    inputs: input,
    outputs: resnetFeatures(input, options),
    name: options.name ?? `resnet${options.depth}_backbone`,
  });
}
