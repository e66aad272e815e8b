// The public API of @bioprop/coco-loader. The JSON streaming and syntax-error locating, the pairwise sum that
// mirrors numpy and the seeded generator stay internal.

export { CategoryMap, type CocoCategory } from './category-map.js';
export {
  type CocoEvalResult,
  defaultEvalParams,
  type EvalOptions,
  type EvalParams,
  evaluateBbox,
  summarizeStats,
  summarizeValue,
} from './coco-eval.js';
export { cocoEvalFiles } from './coco-eval-files.js';
export { CocoFormatError } from './coco-format-error.js';
export { type CocoAnnotations, type CocoImages, CocoInstances, type SkipCounts } from './coco-instances.js';
export {
  type DetectionBatch,
  DetectionPipeline,
  type DetectionPipelineOptions,
  type ImageMeta,
} from './detection-pipeline.js';
export {
  type CocoDetection,
  type DetectionResults,
  readResults,
  resultsFromJson,
} from './detection-results.js';
export { type EvalSummaryJson, formatFixed3, formatSummary, summaryToJson } from './eval-summary.js';
export {
  FASHION_CATEGORY_IDS,
  FASHION_CLASS_NAMES,
  type FashionMosaicOptions,
  type FashionMosaicResult,
  writeFashionMosaic,
} from './fashion-mosaic.js';
export {
  IMAGENET_MEAN,
  IMAGENET_STD,
  loadDetectionImage,
  type ResizeOptions,
  resizeScale,
  type TransformedImage,
  transformBoxes,
} from './image-transform.js';
export { instancesFromJson, type ReadInstancesOptions, readInstances } from './instances-reader.js';
export { boxIou, iouMatrix } from './iou.js';
export { toCocoResults, writeResults } from './results-writer.js';
export {
  type TargetCounts,
  type TargetOptions,
  type TrainingTargets,
  trainingImageIndices,
  trainingTargets,
} from './training-targets.js';
