import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { postProcess } from './post-process';
import { RetinaNet } from './retinanet';
import { retinaNetLosses } from './retinanet-loss';
import { relativeError } from './testing/reference';
import { loadReferenceWeights, loadRetinaTinyVectors, torchKey } from './testing/retina-vectors';

const v = loadRetinaTinyVectors();
const cfg = v.config;

function tinyRetinaNet(rule: string): RetinaNet {
  const net = new RetinaNet({
    classes: cfg.classes,
    depth: 18,
    width: cfg.width,
    inputChannels: cfg.in_ch,
    fpnChannels: cfg.fpn_channels,
    anchorBaseSizes: [0, 1, 2, 3, 4].map((i) => cfg.base_anchor * 2 ** i),
    rule,
    seed: 1,
  });
  loadReferenceWeights(net.model, v);
  return net;
}

/** The reference images normalised as torchvision's transform does (64x64: no resize, no padding). */
const images = () =>
  tf.tidy(() =>
    tf.div(
      tf.sub(
        tf.tensor4d(v.images.data, v.images.shape as [number, number, number, number]),
        v.normalize.mean,
      ),
      v.normalize.std,
    ),
  ) as tf.Tensor4D;

const targets = v.targets.map((t) => ({
  boxes: Float32Array.from(t.boxes),
  labels: Int32Array.from(t.labels),
}));

describe.each(['cpu', 'wasm'])('tiny RetinaNet against PyTorch float64 (%s)', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it('anchors equal torchvision to 1e-6', () => {
    const net = tinyRetinaNet('bp');
    const { anchors, perLevel } = net.anchorsFor(cfg.image_size, cfg.image_size);
    expect(perLevel).toEqual(v.anchorsPerLevel);
    expect(anchors.length).toBe(v.anchors.data.length);
    let worst = 0;
    anchors.forEach((a, i) => {
      worst = Math.max(worst, Math.abs(a - v.anchors.data[i]));
    });
    expect(worst).toBeLessThanOrEqual(1e-6);
    net.model.dispose();
  });

  for (const rule of ['bp', 'ss', 'fa'] as const) {
    it(`'${rule}': both losses, every gradient and the BN running statistics`, () => {
      const ref = v.rules[rule];
      const net = tinyRetinaNet(rule);
      const x = images();
      const { anchors } = net.anchorsFor(cfg.image_size, cfg.image_size);
      const before = tf.memory().numTensors;
      const params = net.model.trainableWeights.map((w) => w.read() as tf.Variable);
      const names = new Map(
        net.model.trainableWeights.map((w) => [(w.read() as tf.Variable).name, w.originalName]),
      );
      let cls = 0;
      let box = 0;
      const { value, grads } = tf.variableGrads(() => {
        const { classLogits, boxDeltas } = net.apply(x, true);
        const losses = retinaNetLosses(classLogits, boxDeltas, anchors, targets);
        cls = losses.classification.dataSync()[0];
        box = losses.boxRegression.dataSync()[0];
        return tf.add(losses.classification, losses.boxRegression) as tf.Scalar;
      }, params);
      expect(Math.abs(cls - ref.classificationLoss) / ref.classificationLoss).toBeLessThan(1e-5);
      expect(Math.abs(box - ref.boxLoss) / ref.boxLoss).toBeLessThan(1e-5);
      expect(Object.keys(ref.grads).sort()).toEqual([...names.values()].map(torchKey).sort());
      let worst = 0;
      for (const [vname, g] of Object.entries(grads)) {
        const key = torchKey(names.get(vname)!);
        const err = relativeError(g.dataSync(), ref.grads[key].data);
        worst = Math.max(worst, err);
        expect(err, key).toBeLessThan(1e-4);
      }
      for (const w of net.model.weights) {
        const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
        if (short !== 'runningMean' && short !== 'runningVar') continue;
        const err = relativeError(w.read().dataSync(), ref.bnRunningAfterForward[torchKey(w.originalName)]);
        expect(err, w.originalName).toBeLessThan(2e-5);
      }
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      net.model.dispose();
      console.log(`${backend} ${rule}: worst gradient relative error ${worst.toExponential(2)}`);
    });
  }

  it('eval-mode detections: same labels and order, boxes to 1e-4, scores to 1e-5', async () => {
    const net = tinyRetinaNet('bp');
    const x = images();
    const { anchors, perLevel } = net.anchorsFor(cfg.image_size, cfg.image_size);
    const { classLogits, boxDeltas } = net.apply(x, false);
    const d = v.detectionsEval;
    const dets = await postProcess(
      classLogits,
      boxDeltas,
      anchors,
      perLevel,
      [0, 1, 2].map(() => [64, 64]),
      {
        scoreThresh: d.scoreThresh,
        nmsThresh: d.nmsThresh,
        detectionsPerImage: d.detectionsPerImage,
        topkCandidates: d.topkCandidates,
      },
    );
    dets.forEach((det, i) => {
      const ref = d.images[i];
      expect(Array.from(det.labels)).toEqual(ref.labels);
      det.boxes.forEach((b, j) =>
        expect(Math.abs(b - ref.boxes[j])).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.boxes[j]))),
      );
      det.scores.forEach((s, j) => expect(Math.abs(s - ref.scores[j])).toBeLessThan(1e-5));
    });
    tf.dispose([x, classLogits, boxDeltas]);
    net.model.dispose();
  });
});
