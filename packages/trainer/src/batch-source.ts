/** One batch of images, as the BioProp loaders yield them. */
export interface ImageBatch {
  /** NHWC pixels. */
  images: Float32Array;
  labels: Int32Array;
  shape: [number, number, number, number];
}

/**
 * Anything that yields an epoch of batches from a batch offset (ImageFolderLoader, ArrayLoader,
 * DetectionPipeline). An epoch started at `startBatch` yields exactly the batches an uninterrupted epoch yields
 * from that position, so a run resumed mid-epoch sees the same data.
 */
export interface BatchSource<B = ImageBatch> {
  readonly batchesPerEpoch: number;
  epoch(epoch: number, start?: { startBatch?: number }): Iterable<B> | AsyncIterable<B>;
}
