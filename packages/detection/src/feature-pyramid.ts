import { AsymmetricConv2D } from '@bioprop/feedback-rules';
import * as tfl from '@tensorflow/tfjs-layers';
import { UpsampleNearestLike } from './upsample-nearest';

/** Where P6 comes from: P5 as torchvision does, or C5 as the RetinaNet paper does. */
export type ExtraLevelsSource = 'p5' | 'c5';

/** Options of {@link featurePyramid}. */
export interface FeaturePyramidOptions {
  /** Output channels of every level. */
  channels: number;
  /** Learning rule of every FPN conv. */
  rule: string;
  /** Source of P6 (P7 = conv(relu(P6))). Default 'p5'. */
  extraLevels?: ExtraLevelsSource;
  /** Layer seed source: each conv's seed is derived from this and its index. */
  seed: number;
  /** Prefix of every layer name. Default `backbone.fpn.` (torchvision's state_dict keys). */
  namePrefix?: string;
}

/**
 * torchvision's FeaturePyramidNetwork with LastLevelP6P7 on C3-C5: 1x1 laterals, top-down nearest upsampling
 * and addition, 3x3 outputs, then P6 (3x3/2 on P5 or C5) and P7 (3x3/2 on relu(P6)). Every conv has a bias,
 * torchvision's init (kaiming_uniform(a=1), bias 0) and learns with the rule, whose feedback scale is the
 * init's standard deviation `1 / sqrt(fan_in)`. Returns P3-P7.
 */
export function featurePyramid(
  features: tfl.SymbolicTensor[],
  options: FeaturePyramidOptions,
): tfl.SymbolicTensor[] {
  const prefix = options.namePrefix ?? 'backbone.fpn.';
  let n = 0;
  const conv = (name: string, x: tfl.SymbolicTensor, kernelSize: number, strides = 1) =>
    new AsymmetricConv2D({
      name: `${prefix}${name}`,
      filters: options.channels,
      kernelSize,
      strides,
      pad: kernelSize === 3 ? 1 : 0,
      useBias: true,
      kernelInit: 'fan-in-uniform',
      rule: options.rule,
      seed: (options.seed + 7919 * ++n) % 0x7ffffffe,
    }).apply(x) as tfl.SymbolicTensor;

  const last = features.length - 1;
  let inner = conv(`inner_blocks.${last}.0`, features[last], 1);
  const outputs = [conv(`layer_blocks.${last}.0`, inner, 3)];
  for (let i = last - 1; i >= 0; i--) {
    const lateral = conv(`inner_blocks.${i}.0`, features[i], 1);
    const topDown = new UpsampleNearestLike({ name: `${prefix}upsample.${i}` }).apply([
      inner,
      lateral,
    ]) as tfl.SymbolicTensor;
    inner = tfl.layers.add({ name: `${prefix}merge.${i}` }).apply([lateral, topDown]) as tfl.SymbolicTensor;
    outputs.unshift(conv(`layer_blocks.${i}.0`, inner, 3));
  }
  const p6Source = (options.extraLevels ?? 'p5') === 'p5' ? outputs[last] : features[last];
  const p6 = conv('extra_blocks.p6', p6Source, 3, 2);
  const p7 = conv(
    'extra_blocks.p7',
    tfl.layers.reLU({ name: `${prefix}extra_blocks.relu` }).apply(p6) as tfl.SymbolicTensor,
    3,
    2,
  );
  return [...outputs, p6, p7];
}
