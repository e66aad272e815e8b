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

/** The footnote of the all-cores column. */
export const ALL_CORES_FOOTNOTE =
  '¹ BioProp on every core: tfjs loads its single-threaded wasm binary in Node, so BioProp trains ' +
  'data-parallel over worker threads (`train({ replicas })`, `repro train --replicas N`): one replica per core, ' +
  "each on its share of the batch, the gradients averaged, one optimizer step. Measured through the trainer's " +
  'loop, so splitting, combining the gradients and publishing the weights are included. `--replicas N` sets the ' +
  "count (default: the machine's cores); RetinaNet is not measured this way.";

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
  if (replicas < 2) return { missing: 'n/a (--replicas 1)¹' };
  if (spec.kind !== 'classifier') return { missing: 'n/a (classifiers only)¹' };
  const args = [
    ...['--backend', 'wasm', '--net', spec.name, '--rule', rule, '--replicas', String(replicas)],
    ...['--batch', String(spec.batch), '--size', String(spec.size)],
    ...timingArgs(timing),
  ];
  const got = await runJsonChild(process.execPath, workerArgs(args), { cwd: BENCH_DIR, timeoutMs });
  if (!got.ok) return { error: got.error };
  return parseMeasurement(got.line);
}
