import { AsymmetricConv2D, AsymmetricDense } from '@bioprop/feedback-rules';
import * as tfl from '@tensorflow/tfjs-layers';
import { TorchBatchNorm } from './batch-norm';
import { layerSeed } from './layer-seed';
import { PaddedMaxPool2D } from './max-pool';

/** How an architecture's layers learn and are seeded. */
export interface LayerFactoryOptions {
  /** Rule of every conv/dense layer but the classifier. */
  rule: string;
  /** Rule of the classifier (last dense layer). */
  lastRule: string;
  /** Model seed; each layer derives its own from it and its name. */
  seed: number;
  /** Put before every layer name (a detector's `backbone.body.`). Default none. */
  namePrefix?: string;
  /** Batch norm as torchvision's FrozenBatchNorm2d (fixed affine from the running statistics). Default false. */
  frozenBatchNorm?: boolean;
}

/** Options of {@link LayerFactory.conv}. */
export interface ConvSpec {
  filters: number;
  kernelSize: number;
  strides?: number;
  pad?: number;
}

type T = tfl.SymbolicTensor;

/**
 * Applies named layers to symbolic tensors. Names are PyTorch module paths (`layers.2.down.0`), so a layer's
 * weights map mechanically to state_dict keys; every conv and dense is a feedback-rules layer.
 */
export class LayerFactory {
  constructor(readonly options: LayerFactoryOptions) {}

  /** The full layer name; seeds come from the unprefixed one, so a prefix does not change the init. */
  private full(name: string): string {
    return (this.options.namePrefix ?? '') + name;
  }

  /** Convolution without bias (every conv here is followed by batch norm). */
  conv(name: string, x: T, spec: ConvSpec): T {
    return new AsymmetricConv2D({
      name: this.full(name),
      filters: spec.filters,
      kernelSize: spec.kernelSize,
      strides: spec.strides ?? 1,
      pad: spec.pad ?? 0,
      useBias: false,
      rule: this.options.rule,
      seed: layerSeed(this.options.seed, name),
    }).apply(x) as T;
  }

  /** Dense layer; `last` marks the classifier, which uses `lastRule`. */
  dense(name: string, x: T, units: number, opts: { useBias: boolean; last: boolean }): T {
    return new AsymmetricDense({
      name: this.full(name),
      units,
      useBias: opts.useBias,
      rule: opts.last ? this.options.lastRule : this.options.rule,
      seed: layerSeed(this.options.seed, name),
    }).apply(x) as T;
  }

  /** PyTorch batch norm (gamma 1, beta 0), frozen if the factory says so. */
  batchNorm(name: string, x: T): T {
    return new TorchBatchNorm({ name: this.full(name), frozen: this.options.frozenBatchNorm }).apply(x) as T;
  }

  relu(name: string, x: T): T {
    return tfl.layers.reLU({ name: this.full(name) }).apply(x) as T;
  }

  maxPool(name: string, x: T, poolSize: number, strides: number, pad: number): T {
    return new PaddedMaxPool2D({ name: this.full(name), poolSize, strides, pad }).apply(x) as T;
  }

  add(name: string, a: T, b: T): T {
    return tfl.layers.add({ name: this.full(name) }).apply([a, b]) as T;
  }
}
