import '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleNames } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type BackendSelection, selectBackend } from './backend';
import { multiStepSchedule } from './lr-schedule';
import { quadrantSource, tinyModel } from './testing/tiny-setup';
import { trainClassifier } from './train-classifier';

/** `selectBackend('webgpu')`, or the error that says why it cannot start (a reason to skip, except on CI). */
async function tryWebGpu(): Promise<BackendSelection | Error> {
  try {
    return await selectBackend('webgpu');
  } catch (err) {
    if (process.env.BIOPROP_REQUIRE_WEBGPU === '1') throw err;
    return err as Error;
  }
}

const got = await tryWebGpu();
const skip = got instanceof Error ? got.message : null;

describe('selectBackend webgpu', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('a webgpu that cannot start says what to install', () => {
    if (!(got instanceof Error)) return;
    expect(got.message).toMatch(
      /backend 'webgpu' is not available: .*npm install @tensorflow\/tfjs-backend-webgpu webgpu.*apt-get install libegl1/,
    );
  });

  describe.skipIf(skip !== null)(`on Dawn${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const sel = got as BackendSelection;

    it('activates webgpu and names the adapter, hardware or software', async () => {
      expect(sel.backend).toBe('webgpu');
      expect(sel.provider).toBe('@tensorflow/tfjs-backend-webgpu');
      expect(sel.adapter).toBeDefined();
      const adapter = sel.adapter!;
      expect(adapter.device || adapter.description).not.toBe('');
      if (adapter.software)
        expect(sel.reason).toMatch(/software adapter, a CPU emulating a GPU: correct but slow \(/);
      else expect(sel.reason).toMatch(/^WebGPU \(Dawn\) on /);
      // Asking again reuses the started backend.
      expect((await selectBackend('webgpu')).adapter).toEqual(adapter);
      expect(tf.getBackend()).toBe('webgpu');
      expect(await tf.add(tf.scalar(1), tf.scalar(2)).data()).toEqual(new Float32Array([3]));
    });

    it('auto takes a hardware adapter and never a software one', async () => {
      const auto = await selectBackend('auto');
      if (sel.adapter!.software) {
        expect(auto.backend).not.toBe('webgpu');
        expect(auto.reason).toMatch(/skipped: .*WebGPU runs on a software adapter \(/);
      } else {
        expect(auto.backend === 'webgpu' || auto.backend === 'tensorflow').toBe(true);
      }
      await selectBackend('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
    });

    it('trains and evaluates a small network (no synchronous read in the loop)', async () => {
      await selectBackend('webgpu');
      const res = await trainClassifier({
        model: tinyModel('ss'),
        train: quadrantSource(64, 16, 1),
        test: quadrantSource(32, 32, 2),
        epochs: 2,
        groups: [{ name: 'all', lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }],
        schedule: multiStepSchedule([1]),
        runDir: mkdtempSync(join(tmpdir(), 'webgpu-run-')),
        config: {},
        progress: 'none',
        alignmentEvery: 0,
      });
      expect(res.status).toBe('completed');
      expect(res.history[1].trainLoss).toBeLessThan(res.history[0].trainLoss);
      expect(res.history[1].top1Err).toBeLessThan(75);
    });

    it('every rule trains a step there: no op of a step reads synchronously (it would throw)', async () => {
      await selectBackend('webgpu');
      for (const rule of ruleNames()) {
        const res = await trainClassifier({
          model: tinyModel(rule),
          train: quadrantSource(32, 16, 1),
          test: quadrantSource(16, 16, 2),
          epochs: 1,
          groups: [{ name: 'all', lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }],
          schedule: multiStepSchedule([]),
          runDir: mkdtempSync(join(tmpdir(), `webgpu-${rule}-`)),
          config: {},
          progress: 'none',
          alignmentEvery: 0,
        });
        expect(res.status, rule).toBe('completed');
        expect(Number.isFinite(res.history[0].trainLoss), rule).toBe(true);
      }
    });
  });
});
