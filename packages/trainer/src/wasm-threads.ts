import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** The most XNNPACK threads: tfjs's threaded wasm build pre-creates this many pthread workers. */
export const MAX_WASM_THREADS = 8;

const PACKAGE = '@tensorflow/tfjs-backend-wasm';
const WORKER_MODULE = `${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`;
const FACTORY_MODULE = `${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.js`;

interface EmscriptenThreads {
  PThread?: { runningWorkers: { unref(): void }[] };
}

/**
 * Starts the wasm backend on tfjs's multi-threaded SIMD build, with `threads` XNNPACK threads, in Node.
 *
 * tfjs turns the threaded build off in Node (tfjs issue 3830) because three things stand in the way, each
 * handled here for the length of the start only:
 * - Its pthread workers come from a `blob:` URL, which Node's `Worker` refuses: the worker script is written to
 *   a temporary file and `URL.createObjectURL` hands out that path for it.
 * - Each worker then loads the main script from a `Blob`, which it cannot import either: the worker script is
 *   extended to load the same factory from a second temporary file.
 * - The C side caps the pool at half the logical cores (it assumes two hyper-threads a core), one thread on a
 *   2-core machine: `os.cpus()` reports twice the cores while the module starts.
 * Returns the backend's thread count once it runs; the pool's workers no longer hold the process open.
 * Call it before anything else starts the wasm backend: once started, its build and thread count are fixed.
 */
export async function activateThreadedWasm(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`wasm threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  const wasm = await import(PACKAGE);
  const workerScript = writeWorkerScripts();
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  // tfjs makes the worker's Blob with this type, and the main script's with 'text/javascript'.
  URL.createObjectURL = (blob: Blob) =>
    blob?.type === 'application/javascript' ? workerScript : createObjectURL(blob);
  os.cpus = () => [...cpus(), ...cpus()];
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend did not start');
    await tf.ready();
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
  // Emscripten keeps a running pthread's worker referenced so that Node waits for it; XNNPACK's pool threads
  // never end, so without this a finished run would never exit.
  const module = (tf.backend() as unknown as { wasm: EmscriptenThreads }).wasm;
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
  return wasm.getThreadsCount();
}

/** Writes the pthread worker script and the module factory it loads; returns the worker script's path. */
function writeWorkerScripts(): string {
  const require = createRequire(import.meta.url);
  let workerContents: string;
  let factory: () => unknown;
  try {
    workerContents = (require(WORKER_MODULE) as { wasmWorkerContents: string }).wasmWorkerContents;
    factory = require(FACTORY_MODULE) as () => unknown;
  } catch (err) {
    throw new Error(
      `${PACKAGE} has no threaded build to start (${(err as Error).message.split('\n')[0]}); use 1 wasm thread`,
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bioprop-wasm-threads-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const factoryScript = path.join(dir, 'factory.js');
  writeFileSync(factoryScript, `var WasmBackendModuleThreadedSimd = ${factory.toString()};\n`);
  const workerScript = path.join(dir, 'worker.js');
  // The worker source is a template literal whose '\n' escapes became newlines; tfjs escapes them back too.
  const loadFromFile = `;{const load = self.onmessage; self.onmessage = (e) => {
  if (e.data && e.data.cmd === 'load' && typeof e.data.urlOrBlob !== 'string') e.data.urlOrBlob = ${JSON.stringify(factoryScript)};
  return load(e);
};}\n`;
  writeFileSync(workerScript, `${workerContents.replace(/\n/g, '\\n')}\n${loadFromFile}`);
  return workerScript;
}
