// The public API of @bioprop/feedback-rules. Gradient formulations, the probe plumbing and seeding helpers
// stay internal: they change with the backends, not with what a user builds.

export {
  type ConvertedLayer,
  type FeedbackLayerInfo,
  type FeedbackModelConversion,
  type KeptLayer,
  type ToFeedbackModelOptions,
  toFeedbackModel,
} from './convert/to-feedback-model';
export {
  AsymmetricConv2D,
  type AsymmetricConv2DArgs,
  type ConvKernelInit,
} from './layers/asymmetric-conv2d-layer';
export { AsymmetricDense, type AsymmetricDenseArgs } from './layers/asymmetric-dense-layer';
export type { KerasLayerOptions } from './layers/keras-options';
export { type AddStateWeight, type LayerFeedback, layerFeedback } from './layers/layer-feedback';
export { type AlignmentProbe, withAlignmentProbe } from './metrics/alignment-probe';
export { AlignmentRecorder, type LayerAlignment } from './metrics/alignment-recorder';
export { angleBetween, angleTensor } from './metrics/angles';
export { type AsymmetricConv2dOptions, asymmetricConv2d } from './ops/asymmetric-conv2d';
export { asymmetricDense } from './ops/asymmetric-dense';
export { readBackCost } from './ops/backend-plan';
export type { ConvPadding } from './ops/conv-geometry';
export { feedbackScale, type WeightKind } from './ops/feedback-scale';
export { type ParamGroup, SGD, type SgdState } from './optim/sgd';
export { type SgdSettings, sgdUpdate } from './optim/sgd-update';
export { backprop } from './rules/backprop';
export { batchwiseRandomSignFeedback } from './rules/batchwise-random-sign-feedback';
export { feedbackAlignment } from './rules/feedback-alignment';
export type {
  FeedbackArgs,
  FeedbackContext,
  FeedbackMirror,
  FeedbackMirrorArgs,
  FeedbackRule,
  FeedbackStateSpec,
  FeedbackUpdateArgs,
} from './rules/feedback-rule';
export { fixedRandomSignFeedback } from './rules/fixed-random-sign-feedback';
export { kolenPollack } from './rules/kolen-pollack';
export { getRule, registerRule, ruleNames } from './rules/rule-registry';
export { signSymmetry } from './rules/sign-symmetry';
export { signedInitFeedback } from './rules/signed-init-feedback';
export {
  createWeightMirror,
  type WeightMirrorOptions,
  type WeightMirrorSettings,
  weightMirror,
} from './rules/weight-mirror';
