import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendSetup, BioPropBackend } from './backends';
import { runJsonChild } from './child-process';
import { type Measurement, parseMeasurement } from './measurement';
import type { NetworkSpec } from './networks';
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

/** One BioProp measurement in a fresh worker process, on `threads` XNNPACK threads on wasm. */
export async function measureBioProp(
  backend: BioPropBackend,
  spec: NetworkSpec,
  rule: string,
  timing: Timing,
  timeoutMs: number,
  threads = 1,
): Promise<Measurement | { error: string }> {
  const args = [
    ...['--backend', backend, '--net', spec.name, '--rule', rule, '--threads', String(threads)],
    ...['--batch', String(spec.batch), '--size', String(spec.size)],
    ...timingArgs(timing),
  ];
  const got = await runJsonChild(process.execPath, workerArgs(args), { cwd: BENCH_DIR, timeoutMs });
  if (!got.ok) return { error: got.error };
  return parseMeasurement(got.line);
}

/** The footnote of the all-cores columns. */
export const ALL_CORES_FOOTNOTE =
  "¹ BioProp on every core, two ways. Threads: one process on tfjs's multi-threaded wasm build, XNNPACK " +
  'splitting each convolution and matrix product over the threads (`repro train --wasm-threads N`, its default); ' +
  'the rest of the step (JavaScript, batch norm, element-wise ops) stays on one thread. Replicas: data-parallel ' +
  'over worker threads (`train({ replicas })`, `repro train --replicas N`), one single-threaded replica per core, ' +
  "each on its share of the batch, the gradients averaged, one optimizer step, measured through the trainer's " +
  'loop (RetinaNet is not measured this way). The whole-machine ratio takes the faster of the two.';

/**
 * BioProp on every core: `replicas` data-parallel replicas (the trainer's loop, replica 0 in the measuring process
 * and the others in its worker threads), images/s over all of them, for the table's whole-machine ratio. A
 * single replica, or a network the measurement does not cover, is an "n/a" cell.
 */
export async function measureBioPropAllCores(
  spec: NetworkSpec,
  rule: string,
  replicas: number,
  timing: Timing,
  timeoutMs: number,
): Promise<Measurement | { error: string } | { missing: string }> {
  if (replicas < 2) return { missing: 'n/a (--replicas 1)' };
  if (spec.kind !== 'classifier') return { missing: 'n/a (classifiers only)' };
  const args = [
    ...['--backend', 'wasm', '--net', spec.name, '--rule', rule, '--replicas', String(replicas)],
    ...['--batch', String(spec.batch), '--size', String(spec.size)],
    ...timingArgs(timing),
  ];
  const got = await runJsonChild(process.execPath, workerArgs(args), { cwd: BENCH_DIR, timeoutMs });
  if (!got.ok) return { error: got.error };
  return parseMeasurement(got.line);
}
