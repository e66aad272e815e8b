// The public API of @bioprop/trainer. Run logging, progress output, the feedback step counters and the wasm
// buffer-sharing patch are internal to the loop.

export {
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendOptions,
  type BackendSelection,
  selectBackend,
  type WebGpuAdapter,
} from './backend';
export type { BatchSource, ImageBatch } from './batch-source';
export { type CheckpointContents, readCheckpoint, writeCheckpoint } from './checkpoint';
export { crossEntropy, topKCorrect } from './classification-metrics';
export { classificationTask } from './classification-task';
export { ReplicaError } from './data-parallel/replica-error';
export type {
  ReplicaFactory,
  ReplicaInfo,
  ReplicaOptions,
  ReplicaSetup,
} from './data-parallel/replica-options';
export { shareSizes } from './data-parallel/share-sizes';
export { type EvalResult, evaluateClassifier } from './evaluate';
export {
  constantSchedule,
  type LrSchedule,
  multiStepSchedule,
  stepSchedule,
  warmupMultiStepSchedule,
} from './lr-schedule';
export { type LeafLayer, leafLayers } from './model-layers';
export { modelTensors, restoreModelTensors } from './model-state';
export type { GroupSpec } from './optimizer-groups';
export type { ProgressMode } from './progress';
export type { EpochRecord, StepRecord } from './run-log';
export type { Metrics, StepLosses, TrainingTask } from './task';
export {
  DivergenceError,
  type StepContext,
  type TrainOptions,
  type TrainResult,
  train,
} from './train';
export { type TrainClassifierOptions, trainClassifier } from './train-classifier';
export { MAX_WASM_THREADS } from './wasm-threads';
