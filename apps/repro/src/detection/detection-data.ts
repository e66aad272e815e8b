import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CocoInstances,
  DetectionPipeline,
  readInstances,
  trainingImageIndices,
} from '@bioprop/coco-loader';
import type { DetectionRunConfig } from './detection-presets';

/** The training and validation batches of a detection run. */
export interface DetectionData {
  train: DetectionPipeline;
  val: DetectionPipeline;
  valInstances: CocoInstances;
  /** COCO ids of the validation images the run uses, the ones its AP is over. */
  valImageIds: number[];
  describe: string;
}

/** Where a data set keeps its annotation files and images. */
function layout(config: DetectionRunConfig, dir: string) {
  if (config.dataset === 'coco') {
    return {
      train: join(dir, 'annotations', 'instances_train2017.json'),
      trainImages: join(dir, 'train2017'),
      val: join(dir, 'annotations', 'instances_val2017.json'),
      valImages: join(dir, 'val2017'),
    };
  }
  return {
    train: join(dir, 'instances_train.json'),
    trainImages: join(dir, 'images'),
    val: join(dir, 'instances_val.json'),
    valImages: join(dir, 'images'),
  };
}

/** Opens a COCO folder or a fashion-mosaic folder (`repro prepare fashion-mosaic`) for a detection run. */
export async function openDetectionData(
  config: DetectionRunConfig,
  dataDir?: string,
): Promise<DetectionData> {
  const prepare =
    config.dataset === 'fashion-mosaic'
      ? 'make it with `repro prepare fashion-mosaic --out DIR --train 4000 --val 500 --seed 0`'
      : 'the MS COCO 2017 folder, with annotations/, train2017/ and val2017/';
  if (!dataDir) throw new Error(`preset ${config.preset} needs --data DIR: ${prepare}`);
  const files = layout(config, dataDir);
  for (const f of [files.train, files.val]) {
    if (!existsSync(f)) throw new Error(`${f} does not exist: --data must be ${prepare}`);
  }
  const [trainSet, valSet] = await Promise.all([readInstances(files.train), readInstances(files.val)]);
  for (const [file, set] of [
    [files.train, trainSet],
    [files.val, valSet],
  ] as const) {
    if (set.categories.size !== config.classes) {
      throw new Error(`${file} has ${set.categories.size} categories but the run expects ${config.classes}`);
    }
  }
  const common = {
    shortSide: config.shortSide,
    maxSize: config.maxSize,
    padMultiple: config.padMultiple,
    channels: config.inputChannels,
    mean: config.mean,
    std: config.std,
  };
  // torchvision's COCO recipe trains on images with boxes; the mosaic script trains on every canvas.
  const pick = (set: CocoInstances, includeEmpty: boolean, limit?: number) => {
    const { indices } = trainingImageIndices(set, { includeEmpty });
    return limit === undefined ? indices : indices.slice(0, limit);
  };
  const train = new DetectionPipeline(trainSet, {
    ...common,
    imageDir: files.trainImages,
    batchSize: config.batchSize,
    flipProbability: config.flipProbability,
    seed: config.seed,
    imageIndices: pick(trainSet, config.dataset === 'fashion-mosaic', config.trainLimit),
  });
  const val = new DetectionPipeline(valSet, {
    ...common,
    imageDir: files.valImages,
    batchSize: 32,
    shuffle: false,
    imageIndices: pick(valSet, true, config.testLimit),
  });
  const c = train.counts;
  return {
    train,
    val,
    valInstances: valSet,
    valImageIds: Array.from(val.indices, (i) => valSet.images.ids[i]),
    describe:
      `${config.dataset} at ${dataDir}: ${train.numImages} training images (${c.boxes} boxes, ` +
      `${c.droppedTiny} degenerate boxes dropped, ${c.crowdRegions} crowd regions), ${val.numImages} validation images`,
  };
}
