import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendSetup, BioPropBackend } from './backends';
import { runJsonChild } from './child-process';
import { type Measurement, parseMeasurement } from './measurement';
import type { NetworkSpec } from './networks';
import type { Cell } from './results';
import { type Timing, timingArgs } from './timed-steps';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKER = join(BENCH_DIR, 'src', 'bioprop-worker.ts');

/** `node --import tsx worker.ts ...`: the worker is TypeScript, run as the harness itself is. */
function workerArgs(args: string[]): string[] {
  return ['--import', 'tsx', WORKER, ...args];
}

/** Whether `backend` starts in a fresh worker, and with how many threads; or why not. */
export async function probeBioProp(backend: BioPropBackend): Promise<BackendSetup & { version?: string }> {
  const got = await runJsonChild(process.execPath, workerArgs(['--probe', '--backend', backend]), {
    cwd: BENCH_DIR,
    timeoutMs: 300_000,
  });
  if (!got.ok) return { ok: false, backend, reason: got.error };
  return JSON.parse(got.line);
}

/** One BioProp measurement in a fresh worker process. */
export async function measureBioProp(
  backend: BioPropBackend,
  spec: NetworkSpec,
  rule: string,
  timing: Timing,
  timeoutMs: number,
): Promise<Measurement | { error: string }> {
  const args = [
    ...['--backend', backend, '--net', spec.name, '--rule', rule],
    ...['--batch', String(spec.batch), '--size', String(spec.size)],
    ...timingArgs(timing),
  ];
  const got = await runJsonChild(process.execPath, workerArgs(args), { cwd: BENCH_DIR, timeoutMs });
  if (!got.ok) return { error: got.error };
  return parseMeasurement(got.line);
}

/** The all-cores cell's text until data-parallel replicas exist, and its footnote. */
const ONE_THREAD_ONLY = 'n/a (one thread)¹';
export const ALL_CORES_FOOTNOTE =
  '¹ BioProp trains on one thread: tfjs loads its single-threaded wasm binary in Node, and data-parallel ' +
  'replicas (one wasm process per core, gradients averaged) do not exist yet. A future `--replicas N` fills ' +
  'this column (measureBioPropAllCores in bench/src/bioprop.ts).';

/**
 * BioProp on every core. Data-parallel replicas do not exist yet, so this is the "n/a" cell; when they do, a
 * `--replicas N` option runs N replica workers here (N = the machine's cores by default) and returns their
 * measurement, images/s over all replicas, for the table's whole-machine ratio.
 */
export async function measureBioPropAllCores(_spec: NetworkSpec, _rule: string): Promise<Cell> {
  return { missing: ONE_THREAD_ONLY };
}
