import { AsymmetricConv2D } from '@bioprop/feedback-rules';
import * as tfl from '@tensorflow/tfjs-layers';
import { GroupNorm } from './group-norm';

/** Options of {@link retinaNetHeads}. */
export interface RetinaNetHeadsOptions {
  /** Channels of the FPN levels and of the heads' hidden convs. */
  channels: number;
  anchorsPerLocation: number;
  classes: number;
  /** Learning rule of every head conv. */
  rule: string;
  seed: number;
  /** Initial foreground probability of every anchor and class (the classifier's bias). Default 0.01. */
  priorProbability?: number;
  /** Prefix of every layer name. Default `head.` (torchvision's state_dict keys). */
  namePrefix?: string;
  /**
   * GroupNorm with this many groups after every hidden conv, whose bias it makes redundant (torchvision's
   * `retinanet_resnet50_fpn_v2` uses 32). Default: none, as the original RetinaNet.
   */
  groupNorm?: number;
}

/**
 * torchvision's RetinaNet classification and box-regression heads, shared across the pyramid levels: four
 * 3x3 convs with ReLU, then a 3x3 conv to `A * K` logits (bias `-log((1 - p) / p)`) or `A * 4` box deltas.
 * Weights are N(0, 0.01) and learn with the rule, whose feedback scale is therefore 0.01. With `groupNorm`, each
 * hidden conv has no bias and is followed by GroupNorm (torchvision's v2 head: layers `conv.i.0`, `conv.i.1`,
 * `conv.i.2` for conv, norm and ReLU). Each level's
 * `[N, H, W, A * K]` map becomes `[N, H * W * A, K]` (locations row-major, anchors inner), and the levels are
 * concatenated: outputs `[N, anchors, K]` and `[N, anchors, 4]`.
 */
export function retinaNetHeads(
  levels: tfl.SymbolicTensor[],
  options: RetinaNetHeadsOptions,
): { classLogits: tfl.SymbolicTensor; boxDeltas: tfl.SymbolicTensor } {
  const prefix = options.namePrefix ?? 'head.';
  const p = options.priorProbability ?? 0.01;
  if (!(p > 0 && p < 1)) throw new Error(`retinaNetHeads: priorProbability must be in (0, 1), got ${p}`);
  let n = 0;
  const groups = options.groupNorm;
  const conv = (name: string, filters: number, biasInit = 0, useBias = true) =>
    new AsymmetricConv2D({
      name: `${prefix}${name}`,
      filters,
      kernelSize: 3,
      pad: 1,
      useBias,
      kernelInit: { stddev: 0.01 },
      biasInit,
      rule: options.rule,
      seed: (options.seed + 104729 * ++n) % 0x7ffffffe,
    });

  const head = (name: string, outPerAnchor: number, biasInit: number) => {
    // One conv -> [GroupNorm ->] ReLU block per hidden layer, each layer shared by all levels.
    const blocks = [0, 1, 2, 3].map((i) => {
      const block: tfl.layers.Layer[] = [
        conv(`${name}.conv.${i}.0`, options.channels, 0, groups === undefined),
      ];
      if (groups !== undefined) block.push(new GroupNorm({ name: `${prefix}${name}.conv.${i}.1`, groups }));
      block.push(tfl.layers.reLU({ name: `${prefix}${name}.conv.${i}.${block.length}` }));
      return block;
    });
    const out = conv(
      `${name}.${outPerAnchor === 4 ? 'bbox_reg' : 'cls_logits'}`,
      options.anchorsPerLocation * outPerAnchor,
      biasInit,
    );
    const flatten = tfl.layers.reshape({ name: `${prefix}${name}.flatten`, targetShape: [-1, outPerAnchor] });
    const perLevel = levels.map((level) => {
      let h = level;
      for (const layer of blocks.flat()) h = layer.apply(h) as tfl.SymbolicTensor;
      return flatten.apply(out.apply(h)) as tfl.SymbolicTensor;
    });
    return tfl.layers
      .concatenate({ name: `${prefix}${name}.levels`, axis: 1 })
      .apply(perLevel) as tfl.SymbolicTensor;
  };
  return {
    classLogits: head('classification_head', options.classes, -Math.log((1 - p) / p)),
    boxDeltas: head('regression_head', 4, 0),
  };
}
