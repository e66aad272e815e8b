import { describe, expect, it } from 'vitest';
import { configFromOptions } from './commands/train';
import { PRESETS, presetConfig } from './presets';

describe('presets', () => {
  it("carry the paper's ImageNet settings", () => {
    for (const rule of ['bp', 'ss', 'fa']) {
      const r = presetConfig(`imagenet-resnet18-${rule}`);
      expect(r).toMatchObject({ arch: 'resnet18', batchSize: 256, epochs: 50, milestones: [10, 20, 30, 40] });
      expect(r).toMatchObject({ momentum: 0.9, weightDecay: 1e-4, lastRule: 'bp', rule });
      expect(r.lr).toBe(rule === 'bp' ? 0.1 : 0.053);
      const a = presetConfig(`imagenet-alexnet-${rule}`);
      expect(a).toMatchObject({
        arch: 'alexnet',
        lr: 0.01,
        momentum: 0.9,
        weightDecay: 5e-4,
        batchSize: 256,
        epochs: 50,
      });
    }
  });

  it('match the PyTorch Fashion-MNIST scripts', () => {
    expect(presetConfig('fashion-mini-ss')).toMatchObject({
      width: 16,
      stem: 'small',
      inputChannels: 1,
      classes: 10,
      batchSize: 128,
      epochs: 8,
      milestones: [4, 6],
      lr: 0.053,
      momentum: 0.9,
      weightDecay: 1e-4,
      lastRule: 'bp',
      augmentation: 'reference',
    });
    expect(presetConfig('fashion-quick-bp')).toMatchObject({ width: 8, epochs: 3, milestones: [2], lr: 0.1 });
    expect(Object.keys(PRESETS)).toHaveLength(16);
  });

  it("have the learned-feedback rules (kp, wm) at backprop's settings", () => {
    for (const rule of ['kp', 'wm']) {
      expect(presetConfig(`fashion-mini-${rule}`)).toMatchObject({
        ...presetConfig('fashion-mini-bp'),
        preset: `fashion-mini-${rule}`,
        rule,
        lr: 0.1,
      });
      expect(presetConfig(`imagenet-resnet18-${rule}`)).toMatchObject({
        arch: 'resnet18',
        rule,
        lastRule: 'bp',
        batchSize: 256,
        lr: 0.1,
        momentum: 0.9,
        weightDecay: 1e-4,
        epochs: 90,
        milestones: [30, 60, 80],
      });
    }
  });

  it('overrides apply, milestones past the last epoch are dropped, unknown presets list the known ones', () => {
    const c = configFromOptions({ preset: 'imagenet-resnet18-ss', epochs: 25, inputSize: 112, classes: 10 });
    expect(c).toMatchObject({
      epochs: 25,
      milestones: [10, 20],
      inputSize: 112,
      resizeSize: 128,
      classes: 10,
    });
    expect(() => presetConfig('imagenet-vgg-bp')).toThrow(
      /unknown preset 'imagenet-vgg-bp' .*fashion-mini-bp/,
    );
  });
});
