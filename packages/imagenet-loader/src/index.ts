// The public API of @bioprop/imagenet-loader: loaders, data set indexes and file formats. Sampling, seeding,
// crop geometry and the label-file parsers behind indexImageNet stay internal.

export {
  type ArrayAugmentation,
  ArrayLoader,
  type ArrayLoaderOptions,
  FASHION_MNIST_AUGMENTATION,
  FASHION_MNIST_MEAN,
  FASHION_MNIST_REFERENCE_AUGMENTATION,
  FASHION_MNIST_STD,
} from './array-loader.js';
export type { Batch } from './batch.js';
export { type EpochStart, ImageFolderLoader, type ImageFolderLoaderOptions } from './batch-loader.js';
export type { SamplingOptions } from './epoch-sampler.js';
export {
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  type ImageArrayDataset,
  loadIdxDataset,
  loadMnistSplit,
} from './idx-dataset.js';
export { encodeIdx, type IdxArray, type IdxData, parseIdx, readIdxFile, writeIdxFile } from './idx-format.js';
export { exportImageFolder, type ImageFolderExportOptions } from './image-folder-export.js';
export type { ImageTransformOptions } from './image-transform.js';
export {
  DEFAULT_IMAGE_EXTENSIONS,
  type ImageFolderOptions,
  indexImageFolder,
  type SplitIndex,
} from './imagefolder-index.js';
export {
  type ImageNetIndex,
  type ImageNetIndexOptions,
  indexImageNet,
  type ValLayout,
} from './imagenet-index.js';
export { IMAGENET_MEAN, IMAGENET_STD } from './normalize.js';
