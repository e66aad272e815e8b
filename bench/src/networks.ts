/**
 * The networks of the comparison and their batches, in one place for both sides: the BioProp worker builds
 * them from these specs, and the PyTorch script (`bench/pytorch_throughput.py`) builds the same layers from the
 * name, the input size and the batch.
 */

/** Names accepted by `--nets`, in the order of the table. */
export const NETWORK_NAMES = ['resnet18', 'alexnet-bn', 'fashion-mini', 'mosaic-retinanet'] as const;

/** A network of the comparison. */
export type NetworkName = (typeof NETWORK_NAMES)[number];

/** One network at one input size and batch. */
export interface NetworkSpec {
  name: NetworkName;
  /** How the table names it, e.g. `ResNet-18 224x224, batch 8`. */
  title: string;
  kind: 'classifier' | 'retinanet';
  /** Input height = width. */
  size: number;
  batch: number;
  inputChannels: number;
  classes: number;
  /** Channels of the first stage when not the network's own (a width-reduced ResNet-18 for smoke runs). */
  width?: number;
}

interface Shape {
  label: string;
  kind: NetworkSpec['kind'];
  inputChannels: number;
  classes: number;
  /** The measured configuration (the issue's). */
  full: { size: number; batch: number };
  /** A smoke-test configuration for `--quick`: seconds per step, not representative. */
  quick: { size: number; batch: number };
}

const SHAPES: Record<NetworkName, Shape> = {
  resnet18: {
    label: 'ResNet-18',
    kind: 'classifier',
    inputChannels: 3,
    classes: 1000,
    full: { size: 224, batch: 8 },
    quick: { size: 64, batch: 2 },
  },
  // AlexNet's classifier is fixed to a 6x6x256 map, so its input cannot shrink below 223: --quick cuts the batch.
  'alexnet-bn': {
    label: 'AlexNet-BN',
    kind: 'classifier',
    inputChannels: 3,
    classes: 1000,
    full: { size: 224, batch: 8 },
    quick: { size: 224, batch: 2 },
  },
  'fashion-mini': {
    label: 'fashion-mini',
    kind: 'classifier',
    inputChannels: 1,
    classes: 10,
    full: { size: 28, batch: 128 },
    quick: { size: 28, batch: 16 },
  },
  // The mosaic-retinanet presets (apps/repro detection-presets.ts, reference/pytorch/retinanet_mosaic.py).
  'mosaic-retinanet': {
    label: 'mosaic RetinaNet',
    kind: 'retinanet',
    inputChannels: 1,
    classes: 10,
    full: { size: 128, batch: 16 },
    quick: { size: 64, batch: 2 },
  },
};

/** The spec of a network, at the size and batch or at the smaller `--quick` ones. */
export function networkSpec(name: NetworkName, quick = false): NetworkSpec {
  const shape = SHAPES[name];
  const { size, batch } = quick ? shape.quick : shape.full;
  return {
    name,
    title: `${shape.label} ${size}x${size}, batch ${batch}`,
    kind: shape.kind,
    size,
    batch,
    inputChannels: shape.inputChannels,
    classes: shape.classes,
  };
}

/** Whether a string names a network of the comparison. */
export function isNetworkName(name: string): name is NetworkName {
  return (NETWORK_NAMES as readonly string[]).includes(name);
}
