// The public API of @bioprop/architectures: the networks, their layers a user meets in a loaded model, and the
// tools around them. Block builders, the layer factory and the wasm channel kernels stay internal.

export { type AlexNetOptions, alexnet, alexnetInputSizes } from './alexnet';
export { TorchBatchNorm, type TorchBatchNormArgs } from './batch-norm';
export { ARCHITECTURES, type ArchitectureName, type BuildModelOptions, buildModel } from './build-model';
export { fileSystemHandler } from './file-system-handler';
export { countFlops, type FlopCount } from './flops';
export { PaddedMaxPool2D, type PaddedMaxPool2DArgs } from './max-pool';
export { countParameters } from './parameter-count';
export {
  type LoadReport,
  loadPytorchStateDict,
  pytorchStateDict,
  type TorchStateDict,
  type TorchStateDictInput,
  type TorchTensor,
} from './pytorch-state-dict';
export {
  type ResNetBackboneOptions,
  type ResNetDepth,
  type ResNetOptions,
  type ResNetStem,
  resnet,
  resnetBackbone,
  resnetFeatures,
} from './resnet';
