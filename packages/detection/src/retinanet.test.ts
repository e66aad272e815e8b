import '@tensorflow/tfjs';
import { type AsymmetricConv2D, layerFeedback } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RetinaNet } from './retinanet';

const conv = (net: RetinaNet, name: string) => net.model.getLayer(name) as AsymmetricConv2D;

describe('RetinaNet', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("ResNet-50-FPN with 91 classes has torchvision's retinanet_resnet50_fpn parameter count", () => {
    const net = new RetinaNet({ classes: 91, depth: 50, seed: 0 });
    let total = 0;
    let batchNorm = 0;
    for (const w of net.model.trainableWeights) {
      const n = w.shape.reduce((a: number, b) => a * (b ?? 0), 1);
      total += n;
      if (/\/(gamma|beta)$/.test(w.originalName)) batchNorm += n;
    }
    // torchvision 0.14, counted: retinanet_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91)
    // has 34,068,119 parameters with trainable BatchNorm2d, 53,120 of them BN weights and biases; with a
    // pretrained backbone its batch norm is FrozenBatchNorm2d (buffers), which leaves 34,014,999.
    expect(total).toBe(34_068_119);
    expect(batchNorm).toBe(53_120);
    expect(total - batchNorm).toBe(34_014_999);
    net.model.dispose();
    const frozen = new RetinaNet({ classes: 91, depth: 50, frozenBackboneBatchNorm: true, seed: 0 });
    const trainable = frozen.model.trainableWeights.reduce(
      (a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 0), 1),
      0,
    );
    expect(trainable).toBe(34_014_999);
    frozen.model.dispose();
  });

  it('starts its backbone from a classifier of the same ResNet, by name', async () => {
    const { resnet } = await import('@bioprop/architectures');
    const clf = resnet({
      depth: 18,
      width: 4,
      inputChannels: 1,
      classes: 10,
      inputSize: 32,
      rule: 'fa',
      seed: 7,
    });
    const tensors = Object.fromEntries(clf.weights.map((w) => [w.originalName, w.read()]));
    const net = new RetinaNet({
      classes: 3,
      depth: 18,
      width: 4,
      inputChannels: 1,
      fpnChannels: 8,
      rule: 'fa',
      seed: 1,
    });
    const loaded = net.loadBackbone(tensors, 'clf.ckpt');
    expect(loaded).toBe(clf.weights.length - 2); // all but fc's kernel and bias
    const stem = net.model.getLayer('backbone.body.stem.0').getWeights();
    expect(Array.from(stem[0].dataSync())).toEqual(Array.from(tensors['stem.0/kernel'].dataSync()));
    expect(Array.from(stem[1].dataSync())).toEqual(Array.from(tensors['stem.0/feedback'].dataSync())); // fa's B
    const wide = resnet({ depth: 18, width: 8, inputChannels: 1, classes: 10, inputSize: 32, seed: 7 });
    expect(() =>
      net.loadBackbone(Object.fromEntries(wide.weights.map((w) => [w.originalName, w.read()])), 'wide.ckpt'),
    ).toThrow("wide.ckpt: weight 'stem.0/kernel' has shape [7,7,1,8], the backbone expects [7,7,1,4]");
    expect(() => net.loadBackbone({}, 'empty.ckpt')).toThrow(
      "empty.ckpt: has no weight 'stem.0/kernel' for the backbone",
    );
    for (const m of [clf, wide, net.model]) m.dispose();
  });

  it('a rule per part, and each conv feeds back at the scale of its own init', () => {
    const net = new RetinaNet({
      classes: 3,
      depth: 18,
      width: 4,
      fpnChannels: 8,
      rules: { backbone: 'ss', fpn: 'fa', heads: 'brsf' },
      seed: 1,
    });
    expect(conv(net, 'backbone.body.layers.3.c2').ruleName).toBe('ss');
    expect(conv(net, 'backbone.fpn.inner_blocks.1.0').ruleName).toBe('fa');
    expect(conv(net, 'head.regression_head.bbox_reg').ruleName).toBe('brsf');
    const scale = (name: string) => layerFeedback(conv(net, name))!.ctx.scale;
    expect(scale('backbone.body.stem.0')).toBeCloseTo(Math.sqrt(2 / (7 * 7 * 4)), 12); // He init
    expect(scale('backbone.fpn.inner_blocks.2.0')).toBeCloseTo(1 / Math.sqrt(32), 12); // 1x1 on C5's 32 channels
    expect(scale('backbone.fpn.layer_blocks.0.0')).toBeCloseTo(1 / Math.sqrt(9 * 8), 12);
    expect(scale('head.classification_head.conv.2.0')).toBe(0.01);
    // The classifier starts every anchor at the prior probability 0.01.
    const bias = conv(net, 'head.classification_head.cls_logits').bias!.read().dataSync();
    expect(bias[0]).toBeCloseTo(-Math.log(0.99 / 0.01), 5);
    expect(() => new RetinaNet({ classes: 3, rules: { fpn: 'nope' } })).toThrow(
      "RetinaNet (fpn rule): unknown learning rule 'nope'",
    );
    expect(() => new RetinaNet({ classes: 0 })).toThrow(
      'RetinaNet: classes must be a positive integer, got 0',
    );
    net.model.dispose();
  });

  it('P6 from C5 when asked (the RetinaNet paper), from P5 by default (torchvision)', () => {
    const fromC5 = new RetinaNet({
      classes: 2,
      depth: 18,
      width: 4,
      fpnChannels: 8,
      extraLevels: 'c5',
      seed: 1,
    });
    expect(conv(fromC5, 'backbone.fpn.extra_blocks.p6').kernel!.shape).toEqual([3, 3, 32, 8]);
    const fromP5 = new RetinaNet({ classes: 2, depth: 18, width: 4, fpnChannels: 8, seed: 1 });
    expect(conv(fromP5, 'backbone.fpn.extra_blocks.p6').kernel!.shape).toEqual([3, 3, 8, 8]);
    fromC5.model.dispose();
    fromP5.model.dispose();
  });

  it.each([
    [96, 160],
    [64, 64],
    [100, 70], // not a multiple of 32: the FPN's upsampling takes the general path
  ])('%i x %i: the outputs hold one row per anchor of anchorsFor', (h, w) => {
    const net = new RetinaNet({ classes: 5, depth: 18, width: 4, fpnChannels: 8, inputChannels: 1, seed: 2 });
    const { anchors, perLevel } = net.anchorsFor(h, w);
    const before = tf.memory().numTensors;
    const x = tf.zeros([2, h, w, 1]) as tf.Tensor4D;
    const { classLogits, boxDeltas } = net.apply(x, false);
    expect(classLogits.shape).toEqual([2, anchors.length / 4, 5]);
    expect(boxDeltas.shape).toEqual([2, anchors.length / 4, 4]);
    expect(perLevel.reduce((a, b) => a + b, 0)).toBe(anchors.length / 4);
    tf.dispose([x, classLogits, boxDeltas]);
    expect(tf.memory().numTensors).toBe(before);
    net.model.dispose();
  });
});
