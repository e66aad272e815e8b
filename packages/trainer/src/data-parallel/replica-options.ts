import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TrainingTask } from '../task';

/**
 * Data-parallel training: how many replicas, and the module each worker thread builds its replica from. Workers
 * cannot receive closures, so every replica after the first (the calling thread) imports `module` and calls its
 * exported `createReplica(args, info)`, which must build the same model (same architecture and seeds) and task as
 * the caller's. `args` is copied to each worker (structured clone: plain data only).
 */
export interface ReplicaOptions {
  /** Replicas in all, the calling thread included; 1 trains in this thread alone. */
  count: number;
  /** A module URL (`file:`) or absolute path exporting {@link ReplicaFactory} as `createReplica`. */
  module?: string | URL;
  /** Passed to `createReplica` in every worker. */
  args?: unknown;
  /**
   * How long a step waits for a worker once replica 0 has finished its own share, in seconds, before it ends the
   * run with a {@link ReplicaError} that calls the worker hung (default: 20 times replica 0's time for its share,
   * at least 60 s). Starting a worker may take up to ten times this, at least 10 minutes.
   */
  hangSeconds?: number;
}

/** Which replica a worker's `createReplica` builds. */
export interface ReplicaInfo {
  /** 1 .. count-1 (replica 0 is the thread that called `train`). */
  replica: number;
  count: number;
  /** The tfjs backend the worker runs on (the caller's). */
  backend: string;
}

/** What `createReplica` returns: a model equal to the caller's in structure, and the task to train it with. */
export interface ReplicaSetup<B = unknown> {
  model: LayersModel;
  task: TrainingTask<B>;
}

/**
 * The `createReplica` export of a replica module. The module is imported before the worker's backend starts:
 * import `@tensorflow/tfjs` (for the gradients) and any layer classes there, as the main program does.
 */
export type ReplicaFactory<B = unknown> = (
  args: unknown,
  info: ReplicaInfo,
) => ReplicaSetup<B> | Promise<ReplicaSetup<B>>;

/** A replica count, checked: a positive integer, or an error that says what was given. */
export function checkReplicaCount(count: unknown, what = 'replicas'): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new Error(`${what} must be an integer >= 1, got ${String(count)}`);
  }
  return count;
}
