/** One batch of images, as the BioProp loaders yield them. */
export interface ImageBatch {
  /** NHWC pixels. */
  images: Float32Array;
  labels: Int32Array;
  shape: [number, number, number, number];
}

/** Anything that yields an epoch of batches from a batch offset (ImageFolderLoader, ArrayLoader). */
export interface BatchSource {
  readonly batchesPerEpoch: number;
  epoch(epoch: number, start?: { startBatch?: number }): Iterable<ImageBatch> | AsyncIterable<ImageBatch>;
}
