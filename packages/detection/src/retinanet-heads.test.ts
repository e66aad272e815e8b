import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupNorm } from './group-norm';
import { retinaNetHeads } from './retinanet-heads';
import { referenceDir, relativeError } from './testing/reference';
import { type ReferenceTensor, torchKey } from './testing/retina-vectors';

/** `retina-head-groupnorm-vectors.json` (reference/pytorch/make_head_norm_vectors.py). */
interface HeadNormVectors {
  config: { channels: number; groups: number; anchors: number; classes: number; eps: number };
  levels: ReferenceTensor[];
  params: Record<string, ReferenceTensor>;
  clsLogits: ReferenceTensor;
  boxDeltas: ReferenceTensor;
  rc: ReferenceTensor;
  rb: ReferenceTensor;
  grads: Record<string, ReferenceTensor>;
  levelGrads: ReferenceTensor[];
}

const v: HeadNormVectors = JSON.parse(
  readFileSync(join(referenceDir(), 'retina-head-groupnorm-vectors.json'), 'utf8'),
);
const cfg = v.config;
const tensorOf = (r: ReferenceTensor) => tf.tensor(r.data, r.shape, 'float32');

/** torchvision's v2 head (GroupNorm) on two levels, with the reference's parameters. */
function groupNormHeads() {
  const inputs = v.levels.map((l, i) => tfl.input({ shape: l.shape.slice(1), name: `p${i}` }));
  const { classLogits, boxDeltas } = retinaNetHeads(inputs, {
    channels: cfg.channels,
    anchorsPerLocation: cfg.anchors,
    classes: cfg.classes,
    rule: 'bp',
    seed: 5,
    groupNorm: cfg.groups,
  });
  const model = tfl.model({ inputs, outputs: [classLogits, boxDeltas] });
  for (const w of model.weights) {
    const ref = v.params[torchKey(w.originalName)];
    if (!ref) throw new Error(`no reference value for ${w.originalName}`);
    const t = tensorOf(ref);
    w.write(t);
    t.dispose();
  }
  return model;
}

describe.each(['cpu', 'wasm'])(
  'RetinaNet heads with GroupNorm against torchvision float64 (%s)',
  (backend) => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });

    it('has exactly torchvision v2 head parameters: hidden convs without bias, GroupNorm weight and bias', () => {
      const model = groupNormHeads();
      expect(model.weights.map((w) => torchKey(w.originalName)).sort()).toEqual(Object.keys(v.params).sort());
      model.dispose();
    });

    it('outputs to 1e-5 and every parameter and input gradient to 1e-4 relative', () => {
      const model = groupNormHeads();
      const levels = v.levels.map(tensorOf);
      const [cls, box] = model.apply(levels, { training: true }) as tf.Tensor[];
      expect(cls.shape).toEqual(v.clsLogits.shape);
      expect(box.shape).toEqual(v.boxDeltas.shape);
      expect(relativeError(cls.dataSync(), v.clsLogits.data)).toBeLessThan(1e-5);
      expect(relativeError(box.dataSync(), v.boxDeltas.data)).toBeLessThan(1e-5);

      const rc = tensorOf(v.rc);
      const rb = tensorOf(v.rb);
      const loss = () => {
        const [c, b] = model.apply(levels, { training: true }) as tf.Tensor[];
        return tf.add(tf.sum(tf.mul(c, rc)), tf.sum(tf.mul(b, rb))) as tf.Scalar;
      };
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(loss, variables);
      for (const w of model.trainableWeights) {
        const key = torchKey(w.originalName);
        expect(
          relativeError(grads[(w.read() as tf.Variable).name].dataSync(), v.grads[key].data),
          key,
        ).toBeLessThan(1e-4);
      }
      const levelGrads = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const [c, bx] = model.apply([a, b], { training: true }) as tf.Tensor[];
        return tf.add(tf.sum(tf.mul(c, rc)), tf.sum(tf.mul(bx, rb)));
      })(levels);
      levelGrads.forEach((g, i) => {
        expect(relativeError(g.dataSync(), v.levelGrads[i].data), `level ${i}`).toBeLessThan(1e-4);
      });
      tf.dispose([cls, box, rc, rb, ...levels, ...Object.values(grads), ...levelGrads]);
      model.dispose();
    });
  },
);

describe('GroupNorm', () => {
  it('normalises each group of consecutive channels over one image, by hand', async () => {
    await tf.setBackend('cpu');
    // One image, 2x1 positions, 4 channels in 2 groups: group 0 holds channels 0-1, group 1 channels 2-3.
    const x = tf.tensor4d([1, 3, 10, 10, 5, 7, 20, 40], [1, 2, 1, 4]);
    const layer = new GroupNorm({ groups: 2, eps: 1e-5 });
    const y = layer.apply(x) as tf.Tensor;
    // Group 0: values 1, 3, 5, 7 (mean 4, biased variance 5); group 1: 10, 10, 20, 40 (mean 20, variance 150).
    const g0 = (t: number) => (t - 4) / Math.sqrt(5 + 1e-5);
    const g1 = (t: number) => (t - 20) / Math.sqrt(150 + 1e-5);
    const expected = [g0(1), g0(3), g1(10), g1(10), g0(5), g0(7), g1(20), g1(40)];
    Array.from(y.dataSync()).forEach((got, i) => {
      expect(got).toBeCloseTo(expected[i], 5);
    });
    tf.dispose([x, y]);
  });

  it('refuses groups that do not divide the channels, and survives serialization', () => {
    expect(() => new GroupNorm({ groups: 3, name: 'gn' }).apply(tfl.input({ shape: [4, 4, 8] }))).toThrow(
      "GroupNorm 'gn': 3 groups do not divide 8 channels",
    );
    const config = new GroupNorm({ groups: 4, eps: 1e-3 }).getConfig();
    expect(config).toMatchObject({ groups: 4, eps: 1e-3 });
    const revived = tf.serialization.SerializationMap.getMap().classNameMap.GroupNorm;
    expect(revived[0]).toBe(GroupNorm);
  });
});
