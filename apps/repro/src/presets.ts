/** Everything that defines a training run of the paper's kind. */
export interface RunConfig {
  preset: string;
  dataset: 'fashion-mnist' | 'imagenet';
  arch: 'resnet18' | 'resnet34' | 'resnet50' | 'alexnet';
  /** ResNet only. */
  width?: number;
  stem?: 'imagenet' | 'small';
  inputChannels: number;
  classes: number;
  /** Training crop and evaluation crop side. */
  inputSize: number;
  /** ImageNet evaluation: shorter side resized to this before the center crop. */
  resizeSize?: number;
  rule: string;
  lastRule: string;
  batchSize: number;
  epochs: number;
  /** Epochs after which the rate is multiplied by 0.1. */
  milestones: number[];
  lr: number;
  /** Rate of the classifier layer; the paper's code can give it its own. Default: lr. */
  lastLr?: number;
  momentum: number;
  weightDecay: number;
  batchManhattan?: boolean;
  noSignChange?: boolean;
  seed: number;
  /**
   * Fashion-MNIST training augmentation (crop 28 from 2-pixel padding, horizontal flip). 'reference': as the
   * PyTorch scripts behind the reference figures, one crop offset per batch and gray (normalized 0) padding;
   * 'torchvision': RandomCrop + RandomHorizontalFlip, per image, black padding. Absent: 'torchvision', which
   * runs started before this field used.
   */
  augmentation?: 'reference' | 'torchvision';
  /** Use only the first N training images (quick experiments). */
  trainLimit?: number;
  /** Use only the first N test images. */
  testLimit?: number;
}

const RULES = ['bp', 'ss', 'fa'] as const;

function every(n: number, epochs: number): number[] {
  const out: number[] = [];
  for (let m = n; m < epochs; m += n) out.push(m);
  return out;
}

function fashion(name: string, rule: string, width: number, epochs: number, milestones: number[]): RunConfig {
  return {
    preset: name,
    dataset: 'fashion-mnist',
    arch: 'resnet18',
    width,
    stem: 'small',
    inputChannels: 1,
    classes: 10,
    inputSize: 28,
    rule,
    lastRule: 'bp',
    batchSize: 128,
    epochs,
    milestones,
    lr: rule === 'bp' ? 0.1 : 0.053,
    momentum: 0.9,
    weightDecay: 1e-4,
    augmentation: 'reference',
    seed: 0,
  };
}

function imagenet(name: string, arch: 'resnet18' | 'alexnet', rule: string): RunConfig {
  const resnet = arch === 'resnet18';
  return {
    preset: name,
    dataset: 'imagenet',
    arch,
    ...(resnet ? { width: 64, stem: 'imagenet' as const } : {}),
    inputChannels: 3,
    classes: 1000,
    inputSize: 224,
    resizeSize: 256,
    rule,
    lastRule: 'bp',
    batchSize: 256,
    epochs: 50,
    milestones: every(10, 50),
    lr: resnet ? (rule === 'bp' ? 0.1 : 0.053) : 0.01,
    momentum: 0.9,
    weightDecay: resnet ? 1e-4 : 5e-4,
    seed: 0,
  };
}

/** The presets: the paper's ImageNet settings and the two Fashion-MNIST fidelity benchmarks. */
export const PRESETS: Record<string, { description: string; config: RunConfig }> = {};

for (const rule of RULES) {
  PRESETS[`imagenet-resnet18-${rule}`] = {
    description: `ResNet-18 on ImageNet, ${rule}: the paper's settings (batch 256, 50 epochs, x0.1 every 10)`,
    config: imagenet(`imagenet-resnet18-${rule}`, 'resnet18', rule),
  };
  PRESETS[`imagenet-alexnet-${rule}`] = {
    description: `AlexNet-BN on ImageNet, ${rule}: the paper's settings (lr 0.01, wd 5e-4)`,
    config: imagenet(`imagenet-alexnet-${rule}`, 'alexnet', rule),
  };
  PRESETS[`fashion-mini-${rule}`] = {
    description: `Fashion-MNIST, ResNet-18 width 16, ${rule}, 8 epochs: the PyTorch fidelity benchmark`,
    config: fashion(`fashion-mini-${rule}`, rule, 16, 8, [4, 6]),
  };
  PRESETS[`fashion-quick-${rule}`] = {
    description: `Fashion-MNIST, ResNet-18 width 8, ${rule}, 3 epochs: the quick fidelity check of repro mini`,
    config: fashion(`fashion-quick-${rule}`, rule, 8, 3, [2]),
  };
}

/**
 * Rules that learn their feedback (Akrout et al. 2019): Kolen-Pollack and the weight mirror (its defaults: mirror
 * learning rate 0.01, noise std 0.1, 128 noise samples, a phase after every step). Akrout et al. train them with
 * backprop's hyperparameters, so their presets take bp's learning rate; both start from fa's random feedback.
 */
const LEARNED_RULES = ['kp', 'wm'] as const;

for (const rule of LEARNED_RULES) {
  const name = `fashion-mini-${rule}`;
  PRESETS[name] = {
    description: `Fashion-MNIST, ResNet-18 width 16, ${rule} (learned feedback), 8 epochs at bp's learning rate`,
    config: { ...fashion(name, rule, 16, 8, [4, 6]), lr: 0.1 },
  };
  const imagenetName = `imagenet-resnet18-${rule}`;
  PRESETS[imagenetName] = {
    description: `ResNet-18 on ImageNet, ${rule} (learned feedback): Akrout et al.'s backprop schedule (batch 256, lr 0.1, 90 epochs, x0.1 at 30, 60, 80)`,
    config: {
      ...imagenet(imagenetName, 'resnet18', rule),
      lr: 0.1,
      epochs: 90,
      milestones: [30, 60, 80],
    },
  };
}

/** A preset's config; unknown names list the known ones. */
export function presetConfig(name: string): RunConfig {
  const p = PRESETS[name];
  if (!p)
    throw new Error(
      `unknown preset '${name}' (run \`repro presets\` to list them: ${Object.keys(PRESETS).join(', ')})`,
    );
  return structuredClone(p.config);
}
