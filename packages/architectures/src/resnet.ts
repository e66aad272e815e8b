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

/**
 * ResNet-18/34/50 with torchvision's topology as a tfjs LayersModel on NHWC input. Layers are named after the
 * PyTorch modules of the reference code: `stem.0` (conv), `stem.1` (BN), `layers.<i>.c1` ... `layers.<i>.down.1`
 * (blocks numbered 0.. across all stages), `fc`.
 */
export function resnet(options: ResNetOptions): tfl.LayersModel {
  const layout = RESNET_LAYOUTS[options.depth];
  if (!layout) {
    throw new Error(
      `resnet: unknown depth ${options.depth} (known depths: ${Object.keys(RESNET_LAYOUTS).join(', ')})`,
    );
  }
  const who = `resnet${options.depth}`;
  const rule = options.rule ?? 'bp';
  const lastRule = options.lastRule ?? 'bp';
  validateRules(who, rule, lastRule);
  const width = positiveInteger(who, 'width', options.width ?? 64);
  const inputChannels = positiveInteger(who, 'inputChannels', options.inputChannels ?? 3);
  const classes = positiveInteger(who, 'classes', options.classes ?? 1000);
  const inputSize = positiveInteger(who, 'inputSize', options.inputSize ?? 224);
  const stem = options.stem ?? 'imagenet';
  if (stem !== 'imagenet' && stem !== 'small') {
    throw new Error(`${who}: unknown stem '${stem}' (known stems: imagenet, small)`);
  }
  const minSize = stem === 'imagenet' ? 32 : 8;
  if (inputSize < minSize) {
    // Below this the last stage would see an empty feature map.
    throw new Error(
      `${who}: inputSize must be at least ${minSize} with the '${stem}' stem, got ${inputSize}`,
    );
  }
  const f = new LayerFactory({ rule, lastRule, seed: options.seed ?? freshModelSeed() });

  const input = tfl.input({ shape: [inputSize, inputSize, inputChannels], name: 'input' });
  let h: tfl.SymbolicTensor;
  if (stem === 'imagenet') {
    h = f.conv('stem.0', input, { filters: width, kernelSize: 7, strides: 2, pad: 3 });
    h = f.relu('stem.2', f.batchNorm('stem.1', h));
    h = f.maxPool('stem.3', h, 3, 2, 1);
  } else {
    h = f.conv('stem.0', input, { filters: width, kernelSize: 3, strides: 1, pad: 1 });
    h = f.relu('stem.2', f.batchNorm('stem.1', h));
  }

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
  });

  h = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(h) as tfl.SymbolicTensor;
  const logits = f.dense('fc', h, classes, { useBias: true, last: true });
  return tfl.model({ inputs: input, outputs: logits, name: options.name ?? who });
}
