import { selectBackend } from '@bioprop/trainer';
import * as tf from '@tensorflow/tfjs-core';

/** Backends a BioProp worker can measure on. */
export type BioPropBackend = 'wasm' | 'webgpu';

/** The backend is active, with its compute threads and a line about it; or why it could not start. */
export type BackendSetup =
  | { ok: true; backend: BioPropBackend; threads: number; detail: string }
  | { ok: false; backend: BioPropBackend; reason: string };

/**
 * Activates a backend as a BioProp run would, through the trainer's `selectBackend`: wasm with the trainer's
 * kernel patches on `wasmThreads` XNNPACK threads, webgpu on Dawn. A software WebGPU adapter (a CPU emulating a GPU) is not worth timing.
 */
export async function activateBackend(backend: BioPropBackend, wasmThreads = 1): Promise<BackendSetup> {
  if (backend === 'webgpu') {
    try {
      const got = await selectBackend('webgpu');
      const adapter = got.adapter!;
      const name = [adapter.vendor, adapter.device, adapter.description].filter(Boolean).join(' ');
      return adapter.software
        ? { ok: false, backend, reason: `only a software adapter (${name})` }
        : { ok: true, backend, threads: 1, detail: `WebGPU on ${name}` };
    } catch (err) {
      return { ok: false, backend, reason: (err as Error).message };
    }
  }
  let threads: number;
  try {
    threads = (await selectBackend('wasm', { wasmThreads })).threads ?? 1;
  } catch (err) {
    return { ok: false, backend, reason: (err as Error).message };
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { ok: true, backend, threads, detail: `wasm${simd ? ' SIMD' : ''}, XNNPACK ${threads} thread(s)` };
}
