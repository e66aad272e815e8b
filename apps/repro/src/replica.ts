// The replica module of `repro train --replicas N`: each worker thread of a data-parallel run imports it and builds
// the run's model and task from the run config, as the main thread did. (The main thread then sends its whole
// state, so a backbone loaded from a checkpoint or a resumed run's weights need not be loaded here.)
import '@tensorflow/tfjs';
import { classificationTask, type ReplicaFactory } from '@bioprop/trainer';
import type { DetectionRunConfig } from './detection/detection-presets';
import { detectionTask } from './detection/detection-task';
import { detectorFor } from './detection/train-detection';
import type { RunConfig } from './presets';
import { modelFor } from './run-model';

/** What `repro train` passes to every replica. */
export type ReplicaArgs =
  | { kind: 'classification'; config: RunConfig }
  | { kind: 'detection'; config: DetectionRunConfig };

export const createReplica: ReplicaFactory = (args) => {
  const a = args as ReplicaArgs;
  if (a.kind === 'classification') return { model: modelFor(a.config), task: classificationTask };
  const net = detectorFor(a.config);
  return { model: net.model, task: detectionTask(net, null) };
};
