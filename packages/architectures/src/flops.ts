import { AsymmetricConv2D, AsymmetricDense } from '@bioprop/feedback-rules';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Forward FLOPs of one image, multiply-adds counted as 2. */
export interface FlopCount {
  total: number;
  /** Per conv/dense layer, by layer name. */
  byLayer: Record<string, number>;
}

/**
 * Forward FLOPs per image of the conv and dense layers (multiply-add = 2; bias, batch norm, pooling and
 * activations are not counted, as in the usual ResNet tables: ResNet-18 at 224 is 3.63 GFLOP).
 */
export function countFlops(model: tfl.LayersModel): FlopCount {
  const byLayer: Record<string, number> = {};
  let total = 0;
  for (const layer of model.layers) {
    let flops = 0;
    if (layer instanceof AsymmetricConv2D) {
      const [, h, w] = layer.outputShape as number[];
      const inChannels = layer.kernel!.shape[2] as number;
      if (h == null || w == null)
        throw new Error(`countFlops: layer '${layer.name}' has an unknown output size`);
      flops = 2 * h * w * layer.filters * layer.kernelSize * layer.kernelSize * inChannels;
    } else if (layer instanceof AsymmetricDense) {
      const [inFeatures, units] = layer.kernel!.shape as number[];
      flops = 2 * inFeatures * units;
    } else {
      continue;
    }
    byLayer[layer.name] = flops;
    total += flops;
  }
  return { total, byLayer };
}
