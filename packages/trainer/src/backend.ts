import * as tf from '@tensorflow/tfjs-core';
import { hostMaxPoolGrad } from './wasm-max-pool-grad';
import { shareWasmCopies } from './wasm-shared-copies';
import { fastWasmSign } from './wasm-sign';
import { activateThreadedWasm, MAX_WASM_THREADS } from './wasm-threads';
import { adapterName, startWebGpu, WEBGPU_FIX, type WebGpuAdapter } from './webgpu-backend';

export type { WebGpuAdapter } from './webgpu-backend';

/** Backends a run can ask for. */
export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The backend a run got and why. */
export interface BackendSelection {
  /** tfjs backend name now active: 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  backend: string;
  /** Which package provides it. */
  provider: string;
  /** One sentence for the log. */
  reason: string;
  /** On webgpu: the GPU adapter, and whether it is hardware or a software renderer. */
  adapter?: WebGpuAdapter;
  /** On wasm: XNNPACK's thread count. */
  threads?: number;
}

/** How to start a backend. */
export interface BackendOptions {
  /**
   * XNNPACK threads on wasm (default 1). Above 1 the wasm backend runs tfjs's multi-threaded build; it must
   * then be the first start of the wasm backend in this process.
   */
  wasmThreads?: number;
}

export const BACKEND_CHOICES: readonly BackendChoice[] = [
  'auto',
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'wasm',
  'cpu',
];

const FIX: Record<Exclude<BackendChoice, 'auto'>, string> = {
  'tensorflow-gpu':
    'install it with `npm install @tensorflow/tfjs-node-gpu` on a CUDA machine with internet access (its install downloads libtensorflow)',
  tensorflow:
    'install it with `npm install @tensorflow/tfjs-node` on a machine with internet access (its install downloads libtensorflow)',
  webgpu: WEBGPU_FIX,
  wasm: 'install it with `npm install @tensorflow/tfjs-backend-wasm`',
  cpu: 'install `@tensorflow/tfjs`',
};

async function importOptional(name: string): Promise<string | null> {
  try {
    await import(name);
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

/** Whether tfjs-node-gpu's TensorFlow sees a GPU (it falls back to CPU silently otherwise). */
function tensorflowSeesGpu(): boolean {
  try {
    const backend = tf.findBackend('tensorflow') as unknown as { isUsingGpuDevice?: boolean } | null;
    return backend?.isUsingGpuDevice === true;
  } catch {
    return false;
  }
}

/** Whether this process has started the wasm backend already (`tf.findBackend` would start it). */
function wasmStarted(): boolean {
  return 'wasm' in tf.engine().registry;
}

async function activate(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok;
  } catch {
    return false;
  }
}

/**
 * Starts one backend, or says why it cannot. `auto` passes `hardwareOnly`: a WebGPU software adapter runs
 * slower than wasm, so only an explicit `webgpu` takes one.
 */
async function tryNamed(
  choice: Exclude<BackendChoice, 'auto'>,
  options: BackendOptions,
  hardwareOnly = false,
): Promise<BackendSelection | string> {
  switch (choice) {
    case 'tensorflow-gpu': {
      const err = await importOptional('@tensorflow/tfjs-node-gpu');
      if (err) return `@tensorflow/tfjs-node-gpu did not load (${err})`;
      if (!(await activate('tensorflow')))
        return '@tensorflow/tfjs-node-gpu loaded but its backend did not start';
      if (!tensorflowSeesGpu()) return '@tensorflow/tfjs-node-gpu loaded but TensorFlow sees no GPU';
      return {
        backend: 'tensorflow',
        provider: '@tensorflow/tfjs-node-gpu',
        reason: 'TensorFlow with a CUDA GPU',
      };
    }
    case 'webgpu': {
      const adapter = await startWebGpu(!hardwareOnly);
      if (typeof adapter === 'string') return adapter;
      return {
        backend: 'webgpu',
        provider: '@tensorflow/tfjs-backend-webgpu',
        reason: adapter.software
          ? `WebGPU (Dawn) on a software adapter, a CPU emulating a GPU: correct but slow (${adapterName(adapter)})`
          : `WebGPU (Dawn) on ${adapterName(adapter)}`,
        adapter,
      };
    }
    case 'tensorflow': {
      const err = await importOptional('@tensorflow/tfjs-node');
      if (err) return `@tensorflow/tfjs-node did not load (${err})`;
      if (!(await activate('tensorflow')))
        return '@tensorflow/tfjs-node loaded but its backend did not start';
      return {
        backend: 'tensorflow',
        provider: '@tensorflow/tfjs-node',
        reason: 'native TensorFlow CPU kernels',
      };
    }
    case 'wasm': {
      const err = await importOptional('@tensorflow/tfjs-backend-wasm');
      if (err) return `@tensorflow/tfjs-backend-wasm did not load (${err})`;
      const wanted = options.wasmThreads ?? 1;
      if (wanted > 1 && !wasmStarted()) {
        try {
          await activateThreadedWasm(wanted);
        } catch (threadErr) {
          return `the threaded wasm backend did not start (${(threadErr as Error).message})`;
        }
      } else if (!(await activate('wasm'))) return 'the wasm backend did not start';
      shareWasmCopies();
      hostMaxPoolGrad();
      fastWasmSign();
      const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
      const threads = getThreadsCount();
      return {
        backend: 'wasm',
        provider: '@tensorflow/tfjs-backend-wasm',
        reason: `WebAssembly with XNNPACK on ${threads === 1 ? '1 thread' : `${threads} threads`}`,
        threads,
      };
    }
    case 'cpu': {
      if (!(await activate('cpu'))) return 'the cpu backend did not start';
      return {
        backend: 'cpu',
        provider: '@tensorflow/tfjs-backend-cpu',
        reason: 'pure JavaScript kernels (slow)',
      };
    }
  }
}

/**
 * Activates a compute backend. `auto` takes tfjs-node-gpu if it loads and sees a GPU, else WebGPU on a
 * hardware adapter, else tfjs-node, else wasm, else cpu, and says why. A named backend that cannot load is an
 * error that says how to fix it. `webgpu` alone also takes a software adapter (Mesa's llvmpipe through
 * OpenGL ES) when there is no GPU; on webgpu only asynchronous reads work (`await t.data()`).
 */
export async function selectBackend(
  choice: BackendChoice = 'auto',
  options: BackendOptions = {},
): Promise<BackendSelection> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new Error(`unknown backend '${choice}' (choose one of: ${BACKEND_CHOICES.join(', ')})`);
  }
  const threads = options.wasmThreads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
    throw new Error(`wasm threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  if (choice !== 'auto') {
    const got = await tryNamed(choice, options);
    if (typeof got === 'string')
      throw new Error(`backend '${choice}' is not available: ${got}; ${FIX[choice]}`);
    return got;
  }
  const skipped: string[] = [];
  for (const candidate of ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const) {
    const got = await tryNamed(candidate, options, true);
    if (typeof got !== 'string') {
      return {
        ...got,
        reason: skipped.length ? `${got.reason}; skipped: ${skipped.join('; ')}` : got.reason,
      };
    }
    skipped.push(got);
  }
  throw new Error(`no tfjs backend could start: ${skipped.join('; ')}`);
}
