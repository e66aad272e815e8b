import type * as tfl from '@tensorflow/tfjs-layers';
import { alexnet } from './alexnet';
import { type ResNetDepth, type ResNetStem, resnet } from './resnet';

/** Names accepted by {@link buildModel}. */
export const ARCHITECTURES = ['resnet18', 'resnet34', 'resnet50', 'alexnet'] as const;

/** An architecture name. */
export type ArchitectureName = (typeof ARCHITECTURES)[number];

/** Options of {@link buildModel}. */
export interface BuildModelOptions {
  arch: ArchitectureName | string;
  /** Rule of all hidden conv/dense layers. Default 'bp'. */
  rule?: string;
  /** Rule of the classifier. Default 'bp'. */
  lastRule?: string;
  /** ResNet only: channels of the first stage. Default 64. */
  width?: number;
  /** Default 3. */
  inputChannels?: number;
  /** Default 1000. */
  classes?: number;
  /** Default 224 (AlexNet needs 223..254 for its 6x6x256 flatten). */
  inputSize?: number;
  /** ResNet only: 'imagenet' (default) or 'small'. */
  stem?: ResNetStem;
  /** Fixes weight init and random feedback. Default: random. */
  seed?: number;
}

/** Builds an architecture by name; unknown names, rules and bad sizes are errors that list what is accepted. */
export function buildModel(options: BuildModelOptions): tfl.LayersModel {
  const { arch, rule, lastRule, inputChannels, classes, inputSize, seed } = options;
  if (arch === 'alexnet') {
    for (const key of ['width', 'stem'] as const) {
      if (options[key] !== undefined) {
        throw new Error(`buildModel: option '${key}' applies to the ResNets only, not to alexnet`);
      }
    }
    return alexnet({ rule, lastRule, inputChannels, classes, inputSize, seed });
  }
  const depth = { resnet18: 18, resnet34: 34, resnet50: 50 }[arch] as ResNetDepth | undefined;
  if (depth === undefined) {
    throw new Error(
      `buildModel: unknown architecture '${arch}' (known architectures: ${ARCHITECTURES.join(', ')})`,
    );
  }
  return resnet({
    depth,
    rule,
    lastRule,
    width: options.width,
    inputChannels,
    classes,
    inputSize,
    stem: options.stem,
    seed,
  });
}
