/** Everything that defines a RetinaNet training run. */
export interface DetectionRunConfig {
  preset: string;
  family: 'detection';
  dataset: 'fashion-mosaic' | 'coco';
  /** ResNet depth and width of the backbone. */
  depth: 18 | 34 | 50;
  width: number;
  inputChannels: 1 | 3;
  classes: number;
  fpnChannels: number;
  /** Anchor size of P3; each level doubles it. */
  anchorBase: number;
  extraLevels: 'p5' | 'c5';
  rule: string;
  /** Backbone batch norm as torchvision's FrozenBatchNorm2d. */
  frozenBackboneBatchNorm: boolean;
  /** GroupNorm groups in the heads (torchvision's v2 head); none when unset. */
  headGroupNorm?: number;
  /** A `repro train` checkpoint of the same ResNet that the backbone starts from. */
  backboneCheckpoint?: string;
  /** Images are resized so the shorter side is this, unless the longer would pass `maxSize`. */
  shortSide: number;
  maxSize: number;
  /** Batches are padded to a multiple of this (torchvision's size_divisible). */
  padMultiple: number;
  mean: number[];
  std: number[];
  flipProbability: number;
  batchSize: number;
  epochs: number;
  /** Epochs after which the rate is multiplied by 0.1. */
  milestones: number[];
  /** Iterations after which the rate is multiplied by 0.1 (COCO's schedule counts iterations). */
  milestoneIterations?: number[];
  /** Linear warm-up from lr * warmupFactor over this many iterations. */
  warmupIterations: number;
  warmupFactor: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  /** Score threshold, NMS IoU and detections per image of the evaluation. */
  scoreThresh: number;
  nmsThresh: number;
  detectionsPerImage: number;
  trainLimit?: number;
  testLimit?: number;
}

/** Whether a run's config.json describes a detection run. */
export function isDetectionConfig(config: object): config is DetectionRunConfig {
  return (config as { family?: string }).family === 'detection';
}

const RULES = ['bp', 'ss', 'fa'] as const;

/** The mosaic run of `reference/pytorch/retinanet_mosaic.py` (its docstring is the specification). */
function mosaic(rule: string): DetectionRunConfig {
  return {
    preset: `mosaic-retinanet-${rule}`,
    family: 'detection',
    dataset: 'fashion-mosaic',
    depth: 18,
    width: 16,
    inputChannels: 1,
    classes: 10,
    fpnChannels: 64,
    anchorBase: 16,
    extraLevels: 'p5',
    rule,
    frozenBackboneBatchNorm: false,
    shortSide: 128,
    maxSize: 128,
    padMultiple: 32,
    mean: [0.286],
    std: [0.353],
    flipProbability: 0.5,
    batchSize: 16,
    epochs: 10,
    milestones: [7, 9],
    warmupIterations: 100,
    warmupFactor: 1 / 3,
    lr: 0.01,
    momentum: 0.9,
    weightDecay: 1e-4,
    seed: 0,
    scoreThresh: 0.05,
    nmsThresh: 0.5,
    detectionsPerImage: 100,
  };
}

/**
 * The paper's COCO run with torchvision's RetinaNet recipe: ResNet-50-FPN, shorter side 800 (longer at most
 * 1333), batch 16, SGD 0.01 (scaled linearly with the batch), momentum 0.9, wd 1e-4, warm-up from lr/3 over 500
 * iterations, x0.1 at 60k and 80k iterations; 12 epochs of the 117k training images with boxes at batch 16
 * (88k iterations), Detectron's 1x schedule.
 */
function coco(rule: string): DetectionRunConfig {
  return {
    ...mosaic(rule),
    preset: `coco-retinanet-${rule}`,
    dataset: 'coco',
    depth: 50,
    width: 64,
    inputChannels: 3,
    classes: 80,
    fpnChannels: 256,
    anchorBase: 32,
    shortSide: 800,
    maxSize: 1333,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    epochs: 12,
    milestones: [],
    milestoneIterations: [60_000, 80_000],
    warmupIterations: 500,
  };
}

/** The detection presets. */
export const DETECTION_PRESETS: Record<string, { description: string; config: DetectionRunConfig }> = {};
for (const rule of RULES) {
  DETECTION_PRESETS[`mosaic-retinanet-${rule}`] = {
    description: `RetinaNet (ResNet-18 width 16, FPN 64) on fashion-mosaic, ${rule}: the PyTorch reference run`,
    config: mosaic(rule),
  };
  DETECTION_PRESETS[`coco-retinanet-${rule}`] = {
    description: `RetinaNet ResNet-50-FPN on MS COCO, ${rule}: the paper's detection run (1x schedule)`,
    config: coco(rule),
  };
}
