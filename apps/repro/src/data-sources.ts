import { join } from 'node:path';
import {
  ArrayLoader,
  FASHION_MNIST_AUGMENTATION,
  FASHION_MNIST_REFERENCE_AUGMENTATION,
  type ImageArrayDataset,
  ImageFolderLoader,
  indexImageNet,
  loadMnistSplit,
} from '@bioprop/imagenet-loader';
import type { BatchSource } from '@bioprop/trainer';
import { fashionMnistDir } from './fashion-data';
import type { RunConfig } from './presets';

/** Training and test batches of a run, plus a line for the log. */
export interface RunData {
  train: BatchSource;
  test: BatchSource;
  describe: string;
}

function firstN(ds: ImageArrayDataset, n: number | undefined): ImageArrayDataset {
  if (n === undefined || n >= ds.count) return ds;
  const per = ds.height * ds.width * ds.channels;
  return { ...ds, count: n, images: ds.images.subarray(0, n * per), labels: ds.labels.subarray(0, n) };
}

/** The Fashion-MNIST training augmentations a run config can name. */
const FASHION_AUGMENTATIONS = {
  reference: FASHION_MNIST_REFERENCE_AUGMENTATION,
  torchvision: FASHION_MNIST_AUGMENTATION,
} as const;

/** Opens the data a config names: Fashion-MNIST IDX files in memory, or an ImageNet folder tree. */
export async function openRunData(config: RunConfig, dataDir?: string): Promise<RunData> {
  if (config.dataset === 'fashion-mnist') {
    const dir = fashionMnistDir(dataDir);
    const train = firstN(await loadMnistSplit(dir, 'train'), config.trainLimit);
    const test = firstN(await loadMnistSplit(dir, 'test'), config.testLimit);
    // Configs written before the field existed trained with torchvision's augmentation.
    const augmentation = config.augmentation ?? 'torchvision';
    return {
      train: new ArrayLoader(train, {
        batchSize: config.batchSize,
        seed: config.seed,
        augmentation: FASHION_AUGMENTATIONS[augmentation],
      }),
      test: new ArrayLoader(test, { batchSize: 1000, shuffle: false }),
      describe: `Fashion-MNIST from ${dir}: ${train.count} training, ${test.count} test images, ${augmentation} augmentation`,
    };
  }
  if (!dataDir)
    throw new Error(`preset ${config.preset} needs --data DIR, the ImageNet folder (with train/ and val/)`);
  const index = await indexImageNet(dataDir, { cacheFile: join(dataDir, '.bioprop-index.json') });
  if (!index.val) throw new Error(`${dataDir}: no validation split found (expected ${join(dataDir, 'val')})`);
  if (index.classes.length !== config.classes) {
    throw new Error(
      `${dataDir} has ${index.classes.length} classes but the run expects ${config.classes} (set --classes ${index.classes.length})`,
    );
  }
  const limit = (split: typeof index.train, n?: number) =>
    n === undefined ? split : { ...split, files: split.files.slice(0, n), labels: split.labels.slice(0, n) };
  const sizes = {
    cropSize: config.inputSize,
    resizeSize: config.resizeSize ?? Math.round((config.inputSize * 256) / 224),
  };
  const train = limit(index.train, config.trainLimit);
  const val = limit(index.val, config.testLimit);
  return {
    train: new ImageFolderLoader(train, {
      mode: 'train',
      batchSize: config.batchSize,
      seed: config.seed,
      ...sizes,
    }),
    test: new ImageFolderLoader(val, { mode: 'eval', batchSize: Math.min(config.batchSize, 100), ...sizes }),
    describe: `ImageNet layout at ${dataDir}: ${index.classes.length} classes, ${train.files.length} training, ${val.files.length} validation images`,
  };
}
