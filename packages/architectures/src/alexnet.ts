import * as tfl from '@tensorflow/tfjs-layers';
import { LayerFactory } from './layer-factory';
import { freshModelSeed, positiveInteger, validateRules } from './model-options';

/** Options of {@link alexnet}. */
export interface AlexNetOptions {
  /** Rule of every conv and hidden dense layer. Default 'bp'. */
  rule?: string;
  /** Rule of the classifier. Default 'bp'. */
  lastRule?: string;
  /** Default 3. */
  inputChannels?: number;
  /** Default 1000. */
  classes?: number;
  /** Height = width of the input; must give the 6x6 feature map the classifier expects (223..254). Default 224. */
  inputSize?: number;
  /** Fixes all weight init and random feedback. Default: drawn at random. */
  seed?: number;
  /** Model name. Default 'alexnet'. */
  name?: string;
}

/** Spatial size after AlexNet's feature extractor for an input of `size`. */
export function alexnetFeatureSize(size: number): number {
  const conv = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;
  const pool = (n: number) => conv(n, 3, 2, 0);
  return pool(pool(pool(conv(size, 11, 4, 2))));
}

/** The input sizes whose feature map is the 6x6 the classifier is built for. */
export function alexnetInputSizes(): number[] {
  const sizes: number[] = [];
  for (let n = 11; n <= 512; n++) if (alexnetFeatureSize(n) === 6) sizes.push(n);
  return sizes;
}

/**
 * The paper's AlexNet: torchvision's layout (11x11/4 pad 2 -> 64, 5x5 pad 2 -> 192, 3x3 pad 1 -> 384, 256,
 * 256, 3x3/2 max pools) with batch norm before every ReLU and no bias in layers followed by batch norm, no
 * dropout, two 4096-wide dense layers with BatchNorm1d, then the classifier (with bias).
 *
 * Names follow an `nn.Sequential` of that layout: `features.0` conv, `.1` BN, `.2` ReLU, `.3` pool, `features.4`
 * ... `features.17`; `classifier.0` dense, `.1` BN, `.2` ReLU, `classifier.3` ... `classifier.6` (the classifier).
 * The 6x6x256 map is flattened in NHWC order (h, w, c), not PyTorch's (c, h, w): weights of `classifier.0` are
 * not interchangeable with a PyTorch AlexNet without permuting its input rows.
 */
export function alexnet(options: AlexNetOptions = {}): tfl.LayersModel {
  const who = 'alexnet';
  const rule = options.rule ?? 'bp';
  const lastRule = options.lastRule ?? 'bp';
  validateRules(who, rule, lastRule);
  const inputChannels = positiveInteger(who, 'inputChannels', options.inputChannels ?? 3);
  const classes = positiveInteger(who, 'classes', options.classes ?? 1000);
  const inputSize = positiveInteger(who, 'inputSize', options.inputSize ?? 224);
  const feature = inputSize >= 11 ? alexnetFeatureSize(inputSize) : 0;
  if (feature !== 6) {
    const fits = alexnetInputSizes();
    throw new Error(
      `alexnet: inputSize ${inputSize} gives a ${Math.max(feature, 0)}x${Math.max(feature, 0)}x256 feature map, ` +
        `but the classifier is fixed to 6x6x256 (use ${fits[0]} to ${fits.at(-1)}, normally 224)`,
    );
  }
  const f = new LayerFactory({ rule, lastRule, seed: options.seed ?? freshModelSeed() });

  const input = tfl.input({ shape: [inputSize, inputSize, inputChannels], name: 'input' });
  let i = 0;
  const convBnRelu = (
    x: tfl.SymbolicTensor,
    filters: number,
    kernelSize: number,
    strides: number,
    pad: number,
  ) => {
    const c = f.conv(`features.${i++}`, x, { filters, kernelSize, strides, pad });
    const b = f.batchNorm(`features.${i++}`, c);
    return f.relu(`features.${i++}`, b);
  };
  const pool = (x: tfl.SymbolicTensor) => f.maxPool(`features.${i++}`, x, 3, 2, 0);
  let h = pool(convBnRelu(input, 64, 11, 4, 2));
  h = pool(convBnRelu(h, 192, 5, 1, 2));
  h = convBnRelu(h, 384, 3, 1, 1);
  h = convBnRelu(h, 256, 3, 1, 1);
  h = pool(convBnRelu(h, 256, 3, 1, 1));

  h = tfl.layers.flatten({ name: 'flatten' }).apply(h) as tfl.SymbolicTensor;
  let j = 0;
  for (let k = 0; k < 2; k++) {
    const d = f.dense(`classifier.${j++}`, h, 4096, { useBias: false, last: false });
    h = f.relu(`classifier.${j + 1}`, f.batchNorm(`classifier.${j}`, d));
    j += 2;
  }
  const logits = f.dense(`classifier.${j}`, h, classes, { useBias: true, last: true });
  return tfl.model({ inputs: input, outputs: logits, name: options.name ?? who });
}
