import { availableParallelism } from 'node:os';

/** `--replicas` parsed: an integer >= 1, or an error that says what was given. */
export function parseReplicas(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) {
    throw new Error(
      `--replicas must be an integer >= 1 (replicas of the model, one per core), got '${value}'`,
    );
  }
  return n;
}

/**
 * How many data-parallel replicas a run trains on: `--replicas` when given; else, when it resumes, the count its
 * config recorded (1 for runs from before replicas existed, so that a run continues as it started); else one per
 * core on wasm (single-threaded in Node, so one process uses one core) and 1 on every other backend (GPU backends
 * and tfjs-node use the whole device from one thread).
 */
export function replicaCount(flag: number | undefined, resumed: object | null, backend: string): number {
  if (flag !== undefined) return flag;
  if (resumed) {
    const recorded = (resumed as { replicas?: unknown }).replicas;
    return typeof recorded === 'number' ? recorded : 1;
  }
  return backend === 'wasm' ? availableParallelism() : 1;
}
