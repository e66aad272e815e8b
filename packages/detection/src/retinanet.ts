import { type ResNetDepth, type ResNetStem, resnetFeatures } from '@bioprop/architectures';
import { getRule } from '@bioprop/feedback-rules';
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AnchorGenerator, anchorSizes } from './anchor-generator';
import { type ExtraLevelsSource, featurePyramid } from './feature-pyramid';
import { retinaNetHeads } from './retinanet-heads';

/** The parts of a RetinaNet that can learn with different rules. */
export type RetinaNetPart = 'backbone' | 'fpn' | 'heads';

/** Options of {@link RetinaNet}. */
export interface RetinaNetOptions {
  /** Object classes (without background). */
  classes: number;
  /** ResNet depth of the backbone. Default 50. */
  depth?: ResNetDepth;
  /** ResNet width (64 in the standard nets). */
  width?: number;
  /** Default 3. */
  inputChannels?: number;
  /** Default 'imagenet'. */
  stem?: ResNetStem;
  /** Channels of every pyramid level and head conv. Default 256. */
  fpnChannels?: number;
  /** P6 from P5 (torchvision) or from C5 (the RetinaNet paper). Default 'p5'. */
  extraLevels?: ExtraLevelsSource;
  /** Rule of every conv. Default 'bp'. */
  rule?: string;
  /** A rule per part, overriding `rule`. */
  rules?: Partial<Record<RetinaNetPart, string>>;
  /** Anchor size of P3 .. P7 (three scales per level are derived). Default 32, 64, 128, 256, 512. */
  anchorBaseSizes?: number[];
  /** Default 0.5, 1, 2. */
  aspectRatios?: number[];
  /** Initial foreground probability of the classifier. Default 0.01. */
  priorProbability?: number;
  /** GroupNorm with this many groups in the heads (torchvision's v2 head: 32). Default: none. */
  headGroupNorm?: number;
  /** Backbone batch norm as torchvision's FrozenBatchNorm2d (its choice on a pretrained backbone). Default false. */
  frozenBackboneBatchNorm?: boolean;
  /** Fixes every init and random feedback. */
  seed?: number;
}

/** Anchors of one padded input size, levels concatenated. */
export interface InputAnchors {
  /** `[A, 4]` x1 y1 x2 y2 in input pixels. */
  anchors: Float32Array;
  /** Anchors per level, P3 first. */
  perLevel: number[];
}

const BACKBONE_PREFIX = 'backbone.body.';

/** Output size of a conv or pool along one axis. */
const convOut = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/**
 * RetinaNet (Lin et al. 2017) with torchvision's semantics, every conv of backbone, FPN and heads learning with
 * a feedback rule: a ResNet body (C3-C5, layers `backbone.body.*`), an FPN (P3-P7) and the two heads. `model`
 * maps `[N, H, W, C]` normalised, padded images to class logits `[N, anchors, classes]` and box deltas
 * `[N, anchors, 4]`; weights are named after torchvision's state_dict keys.
 */
export class RetinaNet {
  readonly model: tfl.LayersModel;
  readonly anchorGenerator: AnchorGenerator;
  readonly classes: number;
  private readonly stem: ResNetStem;
  private readonly anchorCache = new Map<string, InputAnchors>();

  constructor(readonly options: RetinaNetOptions) {
    const rule = (part: RetinaNetPart) => {
      const name = options.rules?.[part] ?? options.rule ?? 'bp';
      getRule(name, `RetinaNet (${part} rule)`);
      return name;
    };
    if (!Number.isInteger(options.classes) || options.classes < 1) {
      throw new Error(`RetinaNet: classes must be a positive integer, got ${options.classes}`);
    }
    this.classes = options.classes;
    this.stem = options.stem ?? 'imagenet';
    const seed = options.seed ?? Math.floor(Math.random() * 0x7ffffff0);
    const channels = options.fpnChannels ?? 256;
    this.anchorGenerator = new AnchorGenerator(
      anchorSizes(options.anchorBaseSizes ?? [32, 64, 128, 256, 512]),
      options.aspectRatios ?? [0.5, 1, 2],
    );
    const input = tfl.input({ shape: [null, null, options.inputChannels ?? 3], name: 'images' });
    const features = resnetFeatures(input, {
      depth: options.depth ?? 50,
      width: options.width,
      inputChannels: options.inputChannels,
      stem: this.stem,
      rule: rule('backbone'),
      seed,
      namePrefix: BACKBONE_PREFIX,
      frozenBatchNorm: options.frozenBackboneBatchNorm,
    });
    const levels = featurePyramid(features, {
      channels,
      rule: rule('fpn'),
      extraLevels: options.extraLevels,
      seed: seed + 1,
    });
    const { classLogits, boxDeltas } = retinaNetHeads(levels, {
      channels,
      anchorsPerLocation: this.anchorGenerator.anchorsPerLocation,
      classes: this.classes,
      rule: rule('heads'),
      seed: seed + 2,
      priorProbability: options.priorProbability,
      groupNorm: options.headGroupNorm,
    });
    this.model = tfl.model({ inputs: input, outputs: [classLogits, boxDeltas], name: 'retinanet' });
  }

  /**
   * Starts the backbone from a classifier of the same ResNet (a `repro train` checkpoint's tensors, or any map
   * from `layer/weight` names without the `backbone.body.` prefix): every backbone weight, running statistics
   * and feedback state included, must be there with its shape; the classifier's `fc` is not used.
   */
  loadBackbone(tensors: Record<string, tf.Tensor>, source: string): number {
    let loaded = 0;
    for (const w of this.model.weights) {
      if (!w.originalName.startsWith(BACKBONE_PREFIX)) continue;
      const name = w.originalName.slice(BACKBONE_PREFIX.length);
      const t = tensors[name];
      if (!t)
        throw new Error(
          `${source}: has no weight '${name}' for the backbone (is it a ResNet-${this.options.depth ?? 50} checkpoint?)`,
        );
      if (t.shape.join(',') !== w.shape.join(',')) {
        throw new Error(
          `${source}: weight '${name}' has shape [${t.shape}], the backbone expects [${w.shape}]`,
        );
      }
      w.write(t);
      loaded++;
    }
    return loaded;
  }

  /** Heights and widths of P3-P7 for a padded input (the conv arithmetic of the network). */
  levelSizes(height: number, width: number): [number, number][] {
    const body = (n: number) => {
      let s = this.stem === 'imagenet' ? convOut(convOut(n, 7, 2, 3), 3, 2, 1) : convOut(n, 3, 1, 1);
      const out: number[] = [];
      for (let stage = 1; stage < 4; stage++) {
        s = convOut(s, 3, 2, 1);
        out.push(s);
      }
      const p6 = convOut(out[2], 3, 2, 1);
      return [...out, p6, convOut(p6, 3, 2, 1)];
    };
    const hs = body(height);
    const ws = body(width);
    return hs.map((h, i) => [h, ws[i]]);
  }

  /** The anchors of a padded input size (cached: a data set has few). */
  anchorsFor(height: number, width: number): InputAnchors {
    const key = `${height}x${width}`;
    let cached = this.anchorCache.get(key);
    if (!cached) {
      const sizes = this.levelSizes(height, width);
      cached = {
        anchors: this.anchorGenerator.anchors([height, width], sizes),
        perLevel: sizes.map(([h, w]) => h * w * this.anchorGenerator.anchorsPerLocation),
      };
      this.anchorCache.set(key, cached);
    }
    return cached;
  }

  /** Class logits and box deltas of a batch of normalised, padded images. */
  apply(images: tf.Tensor4D, training: boolean): { classLogits: tf.Tensor3D; boxDeltas: tf.Tensor3D } {
    const [classLogits, boxDeltas] = this.model.apply(images, { training }) as tf.Tensor3D[];
    return { classLogits, boxDeltas };
  }
}
