import { selectBackend } from '@bioprop/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { setUpWebGpu } from './webgpu';

/** Backends a BioProp worker can measure on. */
export type BioPropBackend = 'wasm' | 'webgpu';

/** The backend is active, with its compute threads and a line about it; or why it could not start. */
export type BackendSetup =
  | { ok: true; backend: BioPropBackend; threads: number; detail: string }
  | { ok: false; backend: BioPropBackend; reason: string };

/**
 * Activates a backend as a BioProp run would: wasm through the trainer's `selectBackend` (so the trainer's
 * wasm kernel patches apply), webgpu through Dawn on a hardware adapter.
 */
export async function activateBackend(backend: BioPropBackend): Promise<BackendSetup> {
  if (backend === 'webgpu') {
    const got = await setUpWebGpu();
    return got.ok
      ? { ok: true, backend, threads: 1, detail: `WebGPU on ${got.adapter}` }
      : { ok: false, backend, reason: got.reason };
  }
  try {
    await selectBackend('wasm');
  } catch (err) {
    return { ok: false, backend, reason: (err as Error).message };
  }
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  // XNNPACK's pool: 1 in Node, where tfjs loads the single-threaded wasm binary.
  const threads = getThreadsCount();
  return { ok: true, backend, threads, detail: `wasm${simd ? ' SIMD' : ''}, XNNPACK ${threads} thread(s)` };
}
