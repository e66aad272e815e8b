// The entry of a replica worker thread (replicas 1..count-1 of a data-parallel run): builds the replica from the
// caller's module, then, per step, loads the state the main thread published, computes the loss and gradients of
// its share and writes them to its shared gradient region.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type BackendChoice, selectBackend } from '../backend';
import { feedbackLayers } from '../feedback-learning';
import type { TrainingTask } from '../task';
import type { FromReplica, ReplicaWorkerData, ToReplica } from './replica-messages';
import type { ReplicaFactory } from './replica-options';
import { SharedTrainingMemory } from './shared-memory';
import { layoutMismatch } from './weight-layout';

const data = workerData as ReplicaWorkerData;
const port = parentPort!;
const post = (msg: FromReplica) => port.postMessage(msg);

/** The backend choice that starts the main thread's tfjs backend (by its tfjs name) in this thread. */
function backendChoice(name: string): BackendChoice {
  const byName: Record<string, BackendChoice> = {
    wasm: 'wasm',
    cpu: 'cpu',
    webgpu: 'webgpu',
    tensorflow: 'tensorflow',
  };
  const choice = byName[name];
  if (!choice) throw new Error(`the main thread's backend '${name}' cannot be started in a worker`);
  return choice;
}

async function start(): Promise<{ model: LayersModel; task: TrainingTask<unknown> }> {
  const mod = (await import(data.module)) as { createReplica?: ReplicaFactory };
  if (typeof mod.createReplica !== 'function') {
    throw new Error(`the replica module ${data.module} exports no function createReplica`);
  }
  await selectBackend(backendChoice(data.backend));
  const setup = await mod.createReplica(data.args, {
    replica: data.replica,
    count: data.count,
    backend: data.backend,
  });
  const mismatch = layoutMismatch(setup.model, data.weightCount, [...data.gradientSlots, ...data.stateSlots]);
  if (mismatch) {
    throw new Error(`the model of createReplica (${data.module}) is not the main model: ${mismatch}`);
  }
  return setup;
}

async function step(
  { model, task }: { model: LayersModel; task: TrainingTask<unknown> },
  memory: SharedTrainingMemory,
  msg: Extract<ToReplica<unknown>, { type: 'step' }>,
): Promise<void> {
  const published = memory.stateVersion();
  if (published !== msg.stateVersion) {
    throw new Error(`expected state publication ${msg.stateVersion}, the shared memory holds ${published}`);
  }
  const state = memory.state();
  // wasm copies a new tensor's values into its heap at once, so the shared view can be passed as it is. Other
  // backends may keep the array itself (cpu does), which the main thread rewrites: they get a copy.
  const copies = tf.getBackend() !== 'wasm';
  tf.tidy(() => {
    for (const s of data.stateSlots) {
      if (s.perReplica && !msg.full) continue;
      const values = copies
        ? state.slice(s.offset, s.offset + s.size)
        : state.subarray(s.offset, s.offset + s.size);
      model.weights[s.index].write(tf.tensor(values, s.shape, 'float32'));
    }
  });
  feedbackLayers(model).forEach(([, fb], i) => {
    fb.step = msg.feedbackSteps[i];
  });
  const vars = data.gradientSlots.map((s) => model.weights[s.index].read() as tf.Variable);
  const { losses, grads } = tf.tidy(() => {
    let losses: Record<string, tf.Scalar> = {};
    const { grads } = tf.variableGrads(() => {
      losses = task.trainingStep(model, msg.share);
      for (const [name, t] of Object.entries(losses)) if (name !== 'loss') tf.keep(t);
      return losses.loss;
    }, vars);
    return { losses, grads };
  });
  try {
    const region = memory.gradientRegion(data.replica);
    for (let i = 0; i < vars.length; i++) {
      const s = data.gradientSlots[i];
      const g = grads[vars[i].name];
      // A weight the loss does not reach has no gradient: zero, as in the main thread's combination.
      if (g) region.set((await g.data()) as Float32Array, s.offset);
      else region.fill(0, s.offset, s.offset + s.size);
    }
    const values: Record<string, number> = {};
    for (const [name, t] of Object.entries(losses)) values[name] = (await t.data())[0];
    memory.gradientsWritten(data.replica, msg.step);
    post({ type: 'done', step: msg.step, losses: values, examples: task.batchSize(msg.share) });
  } finally {
    tf.dispose([...Object.values(losses), ...Object.values(grads)]);
  }
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

start().then(
  (replica) => {
    const memory = SharedTrainingMemory.attach(data.memory);
    // Steps run one at a time: the main thread sends the next only after this one's answer.
    port.on('message', (msg: ToReplica<unknown>) => {
      if (msg.type === 'close') {
        port.close();
        return;
      }
      step(replica, memory, msg).catch((err) =>
        post({ type: 'failed', step: msg.step, message: describe(err), stack: (err as Error)?.stack }),
      );
    });
    post({ type: 'ready' });
  },
  (err) => post({ type: 'failed', step: null, message: describe(err), stack: (err as Error)?.stack }),
);
