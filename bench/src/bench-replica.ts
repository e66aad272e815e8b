// The replica module of the all-cores measurement (replica-steps.ts): every worker thread builds the measured
// classifier as the main thread does.
import '@tensorflow/tfjs';
import { classificationTask, type ReplicaFactory } from '@bioprop/trainer';
import type { NetworkSpec } from './networks';
import { benchClassifier } from './training-step';

/** What the measurement passes to each replica. */
export interface BenchReplicaArgs {
  spec: NetworkSpec;
  rule: string;
}

export const createReplica: ReplicaFactory = (args) => {
  const { spec, rule } = args as BenchReplicaArgs;
  return { model: benchClassifier(spec, rule), task: classificationTask };
};
