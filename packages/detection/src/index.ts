// The public API of @bioprop/detection: the detector, its parts, and the functions a training or evaluation
// loop calls. The upsampling layer and box IoU stay internal.

export { AnchorGenerator, anchorSizes } from './anchor-generator';
export { BBOX_XFORM_CLIP, BoxCoder, type BoxCoderWeights } from './box-coder';
export { type ExtraLevelsSource, type FeaturePyramidOptions, featurePyramid } from './feature-pyramid';
export { sigmoidFocalLoss } from './focal-loss';
export { generalizedBoxIouLoss } from './giou-loss';
export { GroupNorm, type GroupNormArgs } from './group-norm';
export { BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, Matcher } from './matcher';
export { batchedNms } from './nms';
export { type Detections, type PostProcessOptions, postProcess } from './post-process';
export { type InputAnchors, RetinaNet, type RetinaNetOptions, type RetinaNetPart } from './retinanet';
export { type RetinaNetHeadsOptions, retinaNetHeads } from './retinanet-heads';
export {
  type BoxLossKind,
  type DetectionTarget,
  type RetinaNetLosses,
  type RetinaNetLossOptions,
  retinaNetLosses,
} from './retinanet-loss';
