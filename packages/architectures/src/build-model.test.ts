import '@tensorflow/tfjs';
import { AsymmetricConv2D, type AsymmetricDense } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { alexnetFeatureSize, alexnetInputSizes } from './alexnet';
import { type BuildModelOptions, buildModel } from './build-model';
import { layerSeed } from './layer-seed';

const tiny: BuildModelOptions = {
  arch: 'resnet18',
  rule: 'fa',
  width: 4,
  inputChannels: 1,
  classes: 3,
  inputSize: 8,
  stem: 'small',
  seed: 11,
};

function weightsOf(model: tfl.LayersModel): number[][] {
  return model.weights.map((w) => Array.from(w.read().dataSync()));
}

describe('buildModel', () => {
  it('unknown architecture: the error lists the known ones', () => {
    expect(() => buildModel({ arch: 'vgg16' })).toThrow(
      "buildModel: unknown architecture 'vgg16' (known architectures: resnet18, resnet34, resnet50, alexnet)",
    );
  });

  it('unknown rule or last rule: the error lists the known rules', () => {
    expect(() => buildModel({ ...tiny, rule: 'hebb' })).toThrow(
      /resnet18 \(rule\): unknown learning rule 'hebb' \(known rules: bp, ss, fa, /,
    );
    expect(() => buildModel({ ...tiny, lastRule: 'nope' })).toThrow(
      /resnet18 \(lastRule\): unknown learning rule 'nope' \(known rules: bp, ss, fa, /,
    );
    expect(() => buildModel({ arch: 'alexnet', rule: 'x' })).toThrow(
      /alexnet \(rule\): unknown learning rule 'x'/,
    );
  });

  it('AlexNet: an input size that does not give the 6x6x256 flatten is an error', () => {
    expect(alexnetFeatureSize(224)).toBe(6);
    expect(alexnetFeatureSize(222)).toBe(5);
    expect(alexnetFeatureSize(255)).toBe(7);
    expect(alexnetInputSizes()).toEqual(Array.from({ length: 32 }, (_, i) => 223 + i));
    expect(() => buildModel({ arch: 'alexnet', inputSize: 256 })).toThrow(
      'alexnet: inputSize 256 gives a 7x7x256 feature map, but the classifier is fixed to 6x6x256 (use 223 to 254, normally 224)',
    );
    expect(() => buildModel({ arch: 'alexnet', inputSize: 32 })).toThrow(
      /inputSize 32 gives a 0x0x256 feature map/,
    );
    expect(() => buildModel({ arch: 'alexnet', inputSize: 5 })).toThrow(/inputSize 5 gives a 0x0x256/);
    expect(() => buildModel({ arch: 'alexnet', width: 32 })).toThrow(
      "buildModel: option 'width' applies to the ResNets only, not to alexnet",
    );
  });

  it('bad ResNet options are errors naming the option', () => {
    expect(() => buildModel({ ...tiny, width: 0 })).toThrow(
      'resnet18: width must be a positive integer, got 0',
    );
    expect(() => buildModel({ ...tiny, classes: 2.5 })).toThrow(
      /classes must be a positive integer, got 2.5/,
    );
    expect(() => buildModel({ ...tiny, stem: 'cifar' as 'small' })).toThrow(
      "resnet18: unknown stem 'cifar' (known stems: imagenet, small)",
    );
    expect(() => buildModel({ ...tiny, stem: 'imagenet', inputSize: 16 })).toThrow(
      "resnet18: inputSize must be at least 32 with the 'imagenet' stem, got 16",
    );
  });

  it('the seed fixes every weight and the fa feedback; each layer has its own seed', () => {
    const a = buildModel(tiny);
    const b = buildModel(tiny);
    const c = buildModel({ ...tiny, seed: 12 });
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(weightsOf(c)).not.toEqual(weightsOf(a));
    const convs = a.layers.filter((l) => l instanceof AsymmetricConv2D) as AsymmetricConv2D[];
    expect(convs.map((l) => l.seed)).toEqual(convs.map((l) => layerSeed(11, l.name)));
    // Same-shaped layers still get different feedback.
    const fb = (name: string) =>
      Array.from(
        (a.getLayer(name) as AsymmetricConv2D).feedbackState!.stateWeights.feedback.read().dataSync(),
      );
    expect(fb('layers.0.c1')).not.toEqual(fb('layers.0.c2'));
    const fc = a.getLayer('fc') as AsymmetricDense;
    expect(fc.ruleName).toBe('bp');
    expect(buildModel({ ...tiny, lastRule: 'ss' }).getLayer('fc')).toHaveProperty('ruleName', 'ss');
    tf.dispose([]);
  });

  it('layer seeds spread: no collisions over the layer names of a ResNet-50', () => {
    const names: string[] = ['stem.0', 'fc'];
    for (let i = 0; i < 16; i++) for (const s of ['c1', 'c2', 'c3', 'down.0']) names.push(`layers.${i}.${s}`);
    for (const seed of [0, 1, 2, 12345]) {
      const seeds = names.map((n) => layerSeed(seed, n));
      expect(new Set(seeds).size).toBe(names.length);
      for (const s of seeds) expect(s >= 0 && s < 0x7ffffffe && Number.isInteger(s)).toBe(true);
    }
    expect(layerSeed(1, 'stem.0')).not.toBe(layerSeed(2, 'stem.0'));
  });

  it('ResNet-50 at a small width keeps the bottleneck layout and the imagenet stem', () => {
    const model = buildModel({ arch: 'resnet50', width: 4, inputSize: 32, classes: 5, seed: 1 });
    const names = model.layers.map((l) => l.name);
    expect(names.slice(0, 5)).toEqual(['input', 'stem.0', 'stem.1', 'stem.2', 'stem.3']);
    expect(names).toContain('layers.15.c3');
    expect(names).toContain('layers.0.down.0'); // 4 -> 16 channels in the first block
    expect(names).not.toContain('layers.1.down.0');
    expect(names).toContain('layers.13.down.1');
    const c2 = model.getLayer('layers.3.c2') as AsymmetricConv2D;
    expect([c2.kernelSize, c2.strides, c2.filters]).toEqual([3, 2, 8]); // stride on the 3x3 conv
    expect((model.getLayer('layers.3.c1') as AsymmetricConv2D).strides).toBe(1);
    expect((model.getLayer('fc') as AsymmetricDense).kernel!.shape).toEqual([128, 5]);
    expect(model.outputs[0].shape).toEqual([null, 5]);
  });
});
