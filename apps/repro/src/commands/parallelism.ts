// How a run spreads over the cores: XNNPACK threads inside one process on wasm (the default), or data-parallel
// replicas in worker threads, each on one thread.
import { availableParallelism } from 'node:os';
import { MAX_WASM_THREADS } from '@bioprop/trainer';

/** A count flag parsed: an integer from 1 to `max`, or an error that names the flag and what was given. */
function parseCount(flag: string, value: string, what: string, max = Infinity): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n > max) {
    const range = max === Infinity ? 'an integer >= 1' : `an integer from 1 to ${max}`;
    throw new Error(`${flag} must be ${range} (${what}), got '${value}'`);
  }
  return n;
}

/** `--replicas` parsed. */
export function parseReplicas(value: string): number {
  return parseCount('--replicas', value, 'replicas of the model, one per core');
}

/** `--wasm-threads` parsed. */
export function parseWasmThreads(value: string): number {
  return parseCount('--wasm-threads', value, 'XNNPACK threads on wasm', MAX_WASM_THREADS);
}

/**
 * How many data-parallel replicas a run trains on: `--replicas` when given; else, when it resumes, the count its
 * config recorded (1 for runs from before replicas existed, so that a run continues as it started); else 1, as
 * threads bring wasm onto every core without changing the run's arithmetic.
 */
export function replicaCount(flag: number | undefined, resumed: object | null): number {
  if (flag !== undefined) return flag;
  const recorded = (resumed as { replicas?: unknown } | null)?.replicas;
  return typeof recorded === 'number' ? recorded : 1;
}

/**
 * XNNPACK threads on wasm: `--wasm-threads` when given; else one per core (at most 8) for a single replica and
 * 1 for replicas, which take the cores themselves. Other backends ignore it.
 */
export function wasmThreadCount(flag: number | undefined, replicas: number): number {
  if (flag !== undefined) return flag;
  return replicas > 1 ? 1 : Math.min(availableParallelism(), MAX_WASM_THREADS);
}
