import type { SharedBuffers } from './shared-memory';
import type { WeightSlot } from './weight-layout';

/** What a replica worker starts with (`workerData`). */
export interface ReplicaWorkerData {
  /** The replica module's URL. */
  module: string;
  args: unknown;
  replica: number;
  count: number;
  /** tfjs backend name of the main thread. */
  backend: string;
  memory: SharedBuffers;
  gradientSlots: WeightSlot[];
  stateSlots: WeightSlot[];
  /** `model.weights.length` of the main model, to check the replica built the same model. */
  weightCount: number;
}

/** Main thread to worker. */
export type ToReplica<B> =
  | {
      type: 'step';
      /** Counts from 1; the worker marks its gradients with it. */
      step: number;
      share: B;
      /** The state publication to load first; `full` also loads the per-replica statistics (the first step). */
      stateVersion: number;
      full: boolean;
      /** The rules' per-forward step counters, by feedback layer in model order (brsf draws R from them). */
      feedbackSteps: number[];
    }
  | { type: 'close' };

/** Worker to main thread. */
export type FromReplica =
  | { type: 'ready' }
  | { type: 'done'; step: number; losses: Record<string, number>; examples: number }
  | { type: 'failed'; step: number | null; message: string; stack?: string };
