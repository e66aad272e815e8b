import '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AsymmetricConv2D, AsymmetricDense } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { TorchBatchNorm } from './batch-norm';
import { buildModel } from './build-model';
import { fileSystemHandler } from './file-system-handler';
import { PaddedMaxPool2D } from './max-pool';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'bioprop-arch-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('fileSystemHandler', () => {
  for (const rule of ['fa', 'frsf']) {
    it(`'${rule}': save and load keep outputs, running statistics and feedback state`, async () => {
      // ResNet-50 at width 4 with the imagenet stem covers bottlenecks, projections and the padded max pool.
      const model = buildModel({ arch: 'resnet50', rule, width: 4, inputSize: 32, classes: 4, seed: 5 });
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
      tf.tidy(() => {
        model.apply(x, { training: true }); // running statistics away from their initial values
      });
      const dir = join(await tempDir(), 'nested', 'model');
      const result = await model.save(fileSystemHandler(dir));
      expect(result.modelArtifactsInfo.weightDataBytes).toBeGreaterThan(0);
      expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);

      const loaded = await tfl.loadLayersModel(fileSystemHandler(dir));
      expect(loaded.getLayer('stem.1')).toBeInstanceOf(TorchBatchNorm);
      expect(loaded.getLayer('stem.3')).toBeInstanceOf(PaddedMaxPool2D);
      const conv = loaded.getLayer('layers.3.c2') as AsymmetricConv2D;
      expect([conv.ruleName, conv.strides, conv.pad]).toEqual([rule, 2, 1]);
      expect((loaded.getLayer('fc') as AsymmetricDense).ruleName).toBe('bp');
      expect(loaded.weights.map((w) => w.originalName)).toEqual(model.weights.map((w) => w.originalName));
      model.weights.forEach((w, i) => {
        expect(values(loaded.weights[i].read()), w.originalName).toEqual(values(w.read()));
      });
      const stateName = rule === 'fa' ? 'feedback' : 'magnitude';
      const state = (m: tfl.LayersModel) =>
        values(
          (m.getLayer('layers.0.down.0') as AsymmetricConv2D).feedbackState!.stateWeights[stateName].read(),
        );
      expect(state(loaded)).toEqual(state(model));
      expect(values(loaded.predict(x) as tf.Tensor)).toEqual(values(model.predict(x) as tf.Tensor));
      // Training-mode gradients agree too: the feedback really came back.
      const grads = (m: tfl.LayersModel) => {
        const params = m.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
          params,
        );
        const stem = values(grads[params[0].name]);
        tf.dispose([value, ...Object.values(grads)]);
        return stem;
      };
      expect(grads(loaded)).toEqual(grads(model));
    });
  }

  it('saving again replaces both files and leaves no temporary files', async () => {
    const dir = await tempDir();
    const a = buildModel({ arch: 'resnet18', width: 4, inputSize: 8, stem: 'small', classes: 2, seed: 1 });
    const b = buildModel({ arch: 'resnet18', width: 4, inputSize: 8, stem: 'small', classes: 2, seed: 2 });
    await a.save(fileSystemHandler(dir));
    await b.save(fileSystemHandler(dir));
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await tfl.loadLayersModel(fileSystemHandler(dir));
    expect(values(loaded.getLayer('stem.0').getWeights()[0])).toEqual(
      values(b.getLayer('stem.0').getWeights()[0]),
    );
  });

  it('a missing or broken model.json is a clear error', async () => {
    const dir = await tempDir();
    await expect(tfl.loadLayersModel(fileSystemHandler(join(dir, 'absent')))).rejects.toThrow(
      /fileSystemHandler: cannot read .*absent\/model\.json/,
    );
    await writeFile(join(dir, 'model.json'), '{"format": "layers-model"}');
    await expect(tfl.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(/has no modelTopology/);
  });
});
