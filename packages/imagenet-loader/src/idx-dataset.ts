import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { readIdxFile } from './idx-format.js';

/** Images held in memory as 8-bit [N, H, W, C] with one label each. */
export interface ImageArrayDataset {
  images: Uint8Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST class names in label order. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Reads an images file ([N, H, W] ubyte) and a labels file ([N] ubyte) into an ImageArrayDataset. */
export async function loadIdxDataset(imagesPath: string, labelsPath: string): Promise<ImageArrayDataset> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  if (images.dims.length !== 3 || !(images.data instanceof Uint8Array)) {
    throw new Error(`${imagesPath}: expected unsigned bytes of shape [N, H, W], got [${images.dims}]`);
  }
  if (labels.dims.length !== 1 || !(labels.data instanceof Uint8Array)) {
    throw new Error(`${labelsPath}: expected unsigned bytes of shape [N], got [${labels.dims}]`);
  }
  if (labels.dims[0] !== images.dims[0]) {
    throw new Error(
      `${labelsPath} has ${labels.dims[0]} labels but ${imagesPath} has ${images.dims[0]} images`,
    );
  }
  const [count, height, width] = images.dims;
  return { images: images.data, labels: Int32Array.from(labels.data), count, height, width, channels: 1 };
}

async function firstExisting(paths: string[]): Promise<string> {
  for (const path of paths) {
    try {
      await access(path);
      return path;
    } catch {}
  }
  throw new Error(`none of these files exist: ${paths.join(', ')}`);
}

/** Loads the train or test split of MNIST / Fashion-MNIST from the usual file names in dir (.gz or not). */
export async function loadMnistSplit(dir: string, split: 'train' | 'test'): Promise<ImageArrayDataset> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = await firstExisting([
    join(dir, `${prefix}-images-idx3-ubyte.gz`),
    join(dir, `${prefix}-images-idx3-ubyte`),
    join(dir, `${prefix}-images.idx3-ubyte`),
  ]);
  const labels = await firstExisting([
    join(dir, `${prefix}-labels-idx1-ubyte.gz`),
    join(dir, `${prefix}-labels-idx1-ubyte`),
    join(dir, `${prefix}-labels.idx1-ubyte`),
  ]);
  return loadIdxDataset(images, labels);
}
