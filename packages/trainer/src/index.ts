// The public API of @bioprop/trainer. Run logging, progress output, the feedback step counters and the wasm
// buffer-sharing patch are internal to the loop.

export { BACKEND_CHOICES, type BackendChoice, type BackendSelection, selectBackend } from './backend';
export type { BatchSource, ImageBatch } from './batch-source';
export { type CheckpointContents, readCheckpoint, writeCheckpoint } from './checkpoint';
export { crossEntropy, topKCorrect } from './classification-metrics';
export { type EvalResult, evaluateClassifier } from './evaluate';
export {
  constantSchedule,
  type LrSchedule,
  multiStepSchedule,
  stepSchedule,
  warmupMultiStepSchedule,
} from './lr-schedule';
export { modelTensors, restoreModelTensors } from './model-state';
export type { ProgressMode } from './progress';
export type { EpochRecord, StepRecord } from './run-log';
export {
  DivergenceError,
  type GroupSpec,
  type TrainClassifierOptions,
  type TrainResult,
  trainClassifier,
} from './train-classifier';
