import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type BackendChoice, selectBackend } from './backend';

describe('selectBackend', () => {
  it('named wasm and cpu activate their backends', async () => {
    expect((await selectBackend('wasm')).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect((await selectBackend('cpu')).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('auto says what it chose and why; without a GPU device it does not probe Dawn', async () => {
    const sel = await selectBackend('auto');
    expect(['tensorflow', 'webgpu', 'wasm', 'cpu']).toContain(sel.backend);
    expect(tf.getBackend()).toBe(sel.backend);
    // A software WebGPU adapter is never auto's choice (webgpu-backend.test.ts checks the order around it).
    if (sel.backend === 'webgpu') expect(sel.adapter?.software).toBe(false);
    if (sel.backend === 'wasm')
      expect(sel.reason).toMatch(
        /skipped: @tensorflow\/tfjs-node-gpu did not load.*; (webgpu|WebGPU|@tensorflow\/tfjs-backend-webgpu|no GPU device on this machine)/,
      );
  });

  it('a named backend that cannot load says how to fix it', async () => {
    let hasNode = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      hasNode = false;
    }
    if (!hasNode) {
      await expect(selectBackend('tensorflow')).rejects.toThrow(
        /backend 'tensorflow' is not available: @tensorflow\/tfjs-node did not load .*npm install @tensorflow\/tfjs-node/,
      );
    }
    await expect(selectBackend('tpu' as BackendChoice)).rejects.toThrow(
      /unknown backend 'tpu' \(choose one of: auto/,
    );
  });
});
