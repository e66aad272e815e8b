import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { selectBackend } from './backend';

interface Dawn {
  create(flags: string[]): { requestAdapter(o?: object): Promise<unknown> };
  globals: Record<string, unknown>;
}

/** Starts tfjs's webgpu backend the way an application might without the trainer: the package's own factory. */
async function startByHand(): Promise<string | null> {
  let dawn: Dawn;
  try {
    dawn = (await import('webgpu' as string)) as Dawn;
  } catch (err) {
    return `webgpu did not load: ${(err as Error).message.split('\n')[0]}`;
  }
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
  process.env.EGL_PLATFORM ??= 'surfaceless';
  let gpu = dawn.create([]);
  if (!(await gpu.requestAdapter())) gpu = dawn.create(['backend=opengles']);
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = (o: object = {}) => request({ ...o, featureLevel: 'compatibility' });
  if (!(await gpu.requestAdapter())) return 'Dawn found no adapter';
  Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu' as string);
  return (await tf.setBackend('webgpu')) ? null : 'the webgpu backend did not start';
}

const skip = await startByHand();
if (skip && process.env.BIOPROP_REQUIRE_WEBGPU === '1') throw new Error(skip);

it.skipIf(skip !== null)(
  `a webgpu backend the application started is used as it is${skip ? ` (skipped: ${skip})` : ''}`,
  async () => {
    const kept = tf.scalar(5);
    const sel = await selectBackend('webgpu');
    expect(sel.backend).toBe('webgpu');
    // Described by its device's adapter, so a software one is still recognised.
    expect(sel.adapter!.device || sel.adapter!.description).not.toBe('');
    expect(await kept.data()).toEqual(new Float32Array([5]));
    const auto = await selectBackend('auto');
    if (sel.adapter!.software) expect(auto.backend).not.toBe('webgpu');
    await tf.setBackend('cpu');
  },
);
