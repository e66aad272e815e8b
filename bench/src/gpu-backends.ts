import { selectBackend, type WebGpuAdapter } from '@bioprop/trainer';
import * as tf from '@tensorflow/tfjs-core';

/** The GPU backends bench:gpu measures BioProp on. */
export const GPU_BACKENDS = ['webgpu', 'tensorflow-gpu'] as const;
export type GpuBackend = (typeof GPU_BACKENDS)[number];

/** A GPU backend is active, with a line about it (and the WebGPU adapter); or why it could not start. */
export type GpuSetup =
  | { ok: true; backend: GpuBackend; detail: string; adapter?: WebGpuAdapter; tfjs: string }
  | { ok: false; backend: GpuBackend; reason: string; adapter?: WebGpuAdapter; tfjs: string };

/**
 * Activates a GPU backend as a BioProp run would, through the trainer's `selectBackend`: `webgpu` on Dawn (a
 * hardware adapter if there is one, else Mesa's software OpenGL ES, which counts only with `allowSoftware`),
 * `tensorflow-gpu` through tfjs-node-gpu, which must load and see a CUDA GPU.
 */
export async function activateGpuBackend(backend: GpuBackend, allowSoftware: boolean): Promise<GpuSetup> {
  const tfjs = `tfjs ${tf.version_core}`;
  try {
    const got = await selectBackend(backend);
    const adapter = got.adapter;
    if (adapter?.software && !allowSoftware) {
      return { ok: false, backend, adapter, tfjs, reason: `no hardware adapter: ${got.reason}` };
    }
    return { ok: true, backend, adapter, tfjs, detail: `${got.provider}: ${got.reason}` };
  } catch (err) {
    return { ok: false, backend, tfjs, reason: (err as Error).message };
  }
}
