/** One batch: NHWC float32 images and int32 labels. */
export interface Batch {
  /** Pixels, length = shape[0] * shape[1] * shape[2] * shape[3], laid out [B, H, W, C]. */
  images: Float32Array;
  /** Class index per image. */
  labels: Int32Array;
  /** [B, H, W, C]; B can be smaller than batchSize for the last batch or after skipped files. */
  shape: [number, number, number, number];
  /** Dataset index of each image (for debugging and exact resume checks). */
  indices: Int32Array;
  /** Position of this batch in the rank's epoch; resume with startBatch = batchIndex + 1. */
  batchIndex: number;
}
