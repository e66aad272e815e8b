import type * as tfl from '@tensorflow/tfjs-layers';
import type { LayerFactory } from './layer-factory';

/** Output channels of a bottleneck block per channel of its 3x3 conv (torchvision `Bottleneck.expansion`). */
export const BOTTLENECK_EXPANSION = 4;

/**
 * torchvision's Bottleneck (ResNet-50, "v1.5": the stride is on the 3x3 conv): `c1`/`b1` (1x1 to `planes`),
 * `c2`/`b2` (3x3, stride), `c3`/`b3` (1x1 to 4 * planes), projection `down.0`/`down.1` when the shape changes.
 */
export function bottleneck(
  f: LayerFactory,
  prefix: string,
  x: tfl.SymbolicTensor,
  inChannels: number,
  planes: number,
  stride: number,
): tfl.SymbolicTensor {
  const out = planes * BOTTLENECK_EXPANSION;
  const shortcut =
    stride !== 1 || inChannels !== out
      ? f.batchNorm(
          `${prefix}.down.1`,
          f.conv(`${prefix}.down.0`, x, { filters: out, kernelSize: 1, strides: stride }),
        )
      : x;
  let h = f.conv(`${prefix}.c1`, x, { filters: planes, kernelSize: 1 });
  h = f.relu(`${prefix}.relu1`, f.batchNorm(`${prefix}.b1`, h));
  h = f.conv(`${prefix}.c2`, h, { filters: planes, kernelSize: 3, strides: stride, pad: 1 });
  h = f.relu(`${prefix}.relu2`, f.batchNorm(`${prefix}.b2`, h));
  h = f.conv(`${prefix}.c3`, h, { filters: out, kernelSize: 1 });
  h = f.batchNorm(`${prefix}.b3`, h);
  return f.relu(`${prefix}.relu`, f.add(`${prefix}.add`, h, shortcut));
}
