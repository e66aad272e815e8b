import type * as tfl from '@tensorflow/tfjs-layers';
import type { LayerFactory } from './layer-factory';

/**
 * torchvision's BasicBlock (ResNet-18/34) under the module names of the reference `Block`: `c1`/`b1` (3x3,
 * stride here), `c2`/`b2` (3x3), and when the shape changes a projection `down.0` (1x1 conv, stride) +
 * `down.1` (batch norm). Output: relu(b2(c2(relu(b1(c1(x))))) + shortcut).
 */
export function basicBlock(
  f: LayerFactory,
  prefix: string,
  x: tfl.SymbolicTensor,
  inChannels: number,
  channels: number,
  stride: number,
): tfl.SymbolicTensor {
  const shortcut =
    stride !== 1 || inChannels !== channels
      ? f.batchNorm(
          `${prefix}.down.1`,
          f.conv(`${prefix}.down.0`, x, { filters: channels, kernelSize: 1, strides: stride }),
        )
      : x;
  let h = f.conv(`${prefix}.c1`, x, { filters: channels, kernelSize: 3, strides: stride, pad: 1 });
  h = f.relu(`${prefix}.relu1`, f.batchNorm(`${prefix}.b1`, h));
  h = f.conv(`${prefix}.c2`, h, { filters: channels, kernelSize: 3, pad: 1 });
  h = f.batchNorm(`${prefix}.b2`, h);
  return f.relu(`${prefix}.relu`, f.add(`${prefix}.add`, h, shortcut));
}
