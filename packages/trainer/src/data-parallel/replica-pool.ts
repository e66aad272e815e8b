import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { LayerFeedback } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { feedbackLayers } from '../feedback-learning';
import type { TrainingTask } from '../task';
import { ReplicaError } from './replica-error';
import type { FromReplica, ReplicaWorkerData, ToReplica } from './replica-messages';
import { checkReplicaCount, type ReplicaOptions } from './replica-options';
import { SharedTrainingMemory } from './shared-memory';
import { gradientLayout, stateLayout, type WeightLayout } from './weight-layout';
import { startReplicaWorker } from './worker-entry';

/** The losses and gradients of one step, as the training loop's own forward pass returns them. */
export interface StepGradients {
  losses: Record<string, tf.Scalar>;
  grads: tf.NamedTensorMap;
}

/** Options of {@link ReplicaPool.start}. */
export interface ReplicaPoolOptions<B> {
  model: LayersModel;
  task: TrainingTask<B>;
  /** The optimizer's variables, in its order: the gradients the pool returns. */
  trainables: tf.Variable[];
  replicas: ReplicaOptions;
}

type Done = Extract<FromReplica, { type: 'done' }>;

/** One worker thread and the answer it owes. */
class ReplicaWorker {
  private pending: { resolve: (msg: Done | null) => void; reject: (err: Error) => void } | null = null;
  private failure: ReplicaError | null = null;
  private closing = false;
  /** Whether the worker has loaded the full state (statistics included) once; it does so with its first share. */
  loadedFull = false;

  private readonly who: string;

  constructor(
    readonly replica: number,
    count: number,
    readonly worker: Worker,
  ) {
    const who = `replica ${replica} of ${count}`;
    this.who = who;
    worker.on('message', (msg: FromReplica) => {
      if (msg.type === 'failed') {
        const what = msg.step === null ? 'did not start' : 'failed in its training step';
        this.fail(
          new ReplicaError(replica, `${who} ${what}: ${msg.message}`, { cause: msg.stack ?? msg.message }),
        );
      } else this.settle(msg.type === 'done' ? msg : null);
    });
    worker.on('error', (err) =>
      this.fail(new ReplicaError(replica, `${who} crashed: ${err.message}`, { cause: err })),
    );
    worker.on('exit', (code) => {
      if (!this.closing)
        this.fail(new ReplicaError(replica, `${who}: its worker thread exited (code ${code})`));
    });
  }

  private settle(msg: Done | null): void {
    const p = this.pending;
    this.pending = null;
    p?.resolve(msg);
  }

  private fail(err: ReplicaError): void {
    this.failure ??= err;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.failure);
  }

  /** The next answer (`ready` or a step's `done`); rejects with the replica's failure, however it fails. */
  private answer(): Promise<Done | null> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  /**
   * Fails the replica as hung unless `answer` settles within `seconds`; `waited` says from when, for the message.
   */
  deadline<T>(answer: Promise<T>, seconds: number, waited: string): Promise<T> {
    const hung = () =>
      this.fail(
        new ReplicaError(this.replica, `${this.who} did not answer within ${seconds} s ${waited}: hung`),
      );
    // setTimeout takes at most 2^31 - 1 ms (24.8 days); a longer delay would fire at once.
    const timer = setTimeout(hung, Math.min(seconds * 1000, 2 ** 31 - 1));
    return answer.finally(() => clearTimeout(timer));
  }

  ready(seconds: number): Promise<Done | null> {
    return this.deadline(this.answer(), seconds, 'of its start');
  }

  run<B>(msg: Extract<ToReplica<B>, { type: 'step' }>): Promise<Done> {
    const answer = this.answer() as Promise<Done>;
    if (!this.failure) this.worker.postMessage(msg);
    return answer;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}

/** The model state a step's forward pass changes in the main thread, to put back when the step fails. */
interface ForwardState {
  feedbackSteps: number[];
  buffers: [number, tf.Tensor][];
}

/**
 * Data-parallel training over worker threads, PyTorch DDP's semantics: replica 0 is the calling thread and owns
 * the optimizer, the others are workers built from the caller's replica module. Per step {@link gradients} splits
 * the global batch into one share per replica, every replica computes the loss and gradients of its share, and
 * the pool returns their mean over the global batch (each replica weighted by its share of the examples, summed
 * in replica order: deterministic); after the optimizer step {@link publish} gives the workers the new state.
 * Batch norm normalises each share with its own statistics; the running statistics that survive are replica
 * 0's. A replica that fails rejects the step with a {@link ReplicaError} and leaves the main model as it was
 * before the step.
 */
export class ReplicaPool<B> {
  private readonly feedback: [string, LayerFeedback][];
  private version = 0;
  private steps = 0;

  private constructor(
    private readonly model: LayersModel,
    private readonly task: TrainingTask<B>,
    private readonly trainables: tf.Variable[],
    private readonly grads: WeightLayout,
    private readonly state: WeightLayout,
    private readonly memory: SharedTrainingMemory,
    private readonly workers: ReplicaWorker[],
    private readonly hangSeconds: number | undefined,
  ) {
    this.feedback = feedbackLayers(model);
  }

  /**
   * Starts `replicas.count - 1` workers and waits until each has built its replica and found it equal in shape to
   * `model`; then publishes the model's whole state (a resumed run's included).
   */
  static async start<B>(opts: ReplicaPoolOptions<B>): Promise<ReplicaPool<B>> {
    const { model, task, trainables } = opts;
    const count = checkReplicaCount(opts.replicas.count, 'replicas.count');
    if (count < 2) throw new Error('a replica pool needs replicas.count >= 2');
    const hang = opts.replicas.hangSeconds;
    if (hang !== undefined && !(Number.isFinite(hang) && hang > 0)) {
      throw new Error(`replicas.hangSeconds must be a positive number of seconds, got ${hang}`);
    }
    if (!opts.replicas.module) {
      throw new Error(
        'data-parallel training needs replicas.module: the module whose createReplica builds a replica',
      );
    }
    if (typeof task.split !== 'function') {
      throw new Error("data-parallel training needs the task's split(batch, parts); this task has none");
    }
    const module =
      opts.replicas.module instanceof URL || /^[a-z]+:/i.test(opts.replicas.module)
        ? String(opts.replicas.module)
        : pathToFileURL(opts.replicas.module).href;
    const grads = gradientLayout(model, trainables);
    const state = stateLayout(model);
    const memory = SharedTrainingMemory.create(count, grads, state);
    const workers: ReplicaWorker[] = [];
    try {
      for (let r = 1; r < count; r++) {
        const workerData: ReplicaWorkerData = {
          module,
          args: opts.replicas.args,
          replica: r,
          count,
          backend: tf.getBackend(),
          memory: memory.buffers,
          gradientSlots: grads.slots,
          stateSlots: state.slots,
          weightCount: model.weights.length,
        };
        workers.push(new ReplicaWorker(r, count, startReplicaWorker(module, { workerData })));
      }
      const startSeconds = Math.max(600, 10 * (opts.replicas.hangSeconds ?? 0));
      await Promise.all(workers.map((w) => w.ready(startSeconds)));
    } catch (err) {
      await Promise.all(workers.map((w) => w.close()));
      throw err;
    }
    const pool = new ReplicaPool(
      model,
      task,
      trainables,
      grads,
      state,
      memory,
      workers,
      opts.replicas.hangSeconds,
    );
    await pool.publish(true);
    return pool;
  }

  /** Replicas in all, the calling thread included. */
  get count(): number {
    return this.workers.length + 1;
  }

  /**
   * The loss and gradients of `batch`, averaged over its examples across the replicas. `forward` computes replica
   * 0's share in this thread (the loop's own forward pass, with its probes); the workers compute theirs meanwhile.
   * The returned tensors are the caller's to dispose.
   */
  async gradients(batch: B, forward: (share: B) => StepGradients): Promise<StepGradients> {
    const shares = this.task.split!(batch, this.count);
    if (shares.length < 1 || shares.length > this.count) {
      throw new Error(`the task's split gave ${shares.length} shares for ${this.count} replicas`);
    }
    const step = ++this.steps;
    const before = this.saveForwardState();
    const waits = shares.slice(1).map((share, i) => {
      const w = this.workers[i];
      const full = !w.loadedFull;
      w.loadedFull = true;
      const answer = w.run<B>({
        type: 'step',
        step,
        share,
        stateVersion: this.version,
        full,
        feedbackSteps: before.feedbackSteps,
      });
      answer.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
      return answer;
    });
    let mine: StepGradients | null = null;
    try {
      const started = performance.now();
      mine = forward(shares[0]);
      const ownSeconds = (performance.now() - started) / 1000;
      const limit = this.hangSeconds ?? Math.max(60, Math.ceil(20 * ownSeconds));
      const waited = `after replica 0 finished its share of step ${step} (in ${ownSeconds.toFixed(1)} s)`;
      const answers = await Promise.all(waits.map((w, i) => this.workers[i].deadline(w, limit, waited)));
      for (const a of answers) {
        if (a.step !== step)
          throw new Error(`data-parallel: an answer for step ${a.step} came in step ${step}`);
      }
      const sizes = [this.task.batchSize(shares[0]), ...answers.map((a) => a.examples)];
      const total = sizes.reduce((a, b) => a + b, 0);
      const weights = sizes.map((n) => n / total);
      const values: Record<string, number> = {};
      for (const [name, t] of Object.entries(mine.losses)) {
        let v = weights[0] * (await t.data())[0];
        answers.forEach((a, i) => {
          v += weights[i + 1] * (a.losses[name] ?? Number.NaN);
        });
        values[name] = v;
      }
      // Nothing below awaits or throws short of a bug: the new tensors go straight to the caller.
      const grads = this.combineGradients(mine.grads, answers.length, weights, step);
      const losses = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tf.scalar(v)]));
      tf.dispose(before.buffers.map(([, t]) => t));
      return { losses, grads };
    } catch (err) {
      this.restoreForwardState(before);
      throw err;
    } finally {
      if (mine) tf.dispose([...Object.values(mine.losses), ...Object.values(mine.grads)]);
    }
  }

  /**
   * The weighted sum, replica by replica in order, of replica 0's gradients and the workers' shared regions, as
   * tensor ops: replica 0's gradients never leave the backend, and the backend's vectorised kernels do the
   * arithmetic (a JavaScript loop over ResNet-18's 11.7 M weights took ~300 ms a step).
   */
  private combineGradients(
    own: tf.NamedTensorMap,
    workers: number,
    weights: number[],
    step: number,
  ): tf.NamedTensorMap {
    const regions: Float32Array[] = [];
    for (let r = 1; r <= workers; r++) {
      const written = this.memory.gradientStep(r);
      if (written !== step) {
        throw new Error(`data-parallel: replica ${r}'s gradients are of step ${written}, not ${step}`);
      }
      regions.push(this.memory.gradientRegion(r));
    }
    return tf.tidy(() => {
      const out: tf.NamedTensorMap = {};
      for (let i = 0; i < this.trainables.length; i++) {
        const v = this.trainables[i];
        const g = own[v.name];
        if (!g) continue; // not reached by the loss: no gradient, as in one process
        const { offset, size, shape } = this.grads.slots[i];
        let sum = tf.mul(g, weights[0]);
        for (let r = 0; r < workers; r++) {
          // The tensor is consumed at once by the product, before the worker can write its region again.
          const theirs = tf.tensor(regions[r].subarray(offset, offset + size), shape, 'float32');
          sum = tf.add(sum, tf.mul(theirs, weights[r + 1]));
        }
        out[v.name] = sum;
      }
      return out;
    });
  }

  /**
   * Writes the main model's state for the workers' next step: after every optimizer step, and once at the start
   * (`full`: with the batch norm statistics, so that every replica starts from the same state).
   */
  async publish(full = false): Promise<void> {
    const view = this.memory.state();
    for (const s of this.state.slots) {
      if (s.perReplica && !full) continue;
      view.set((await this.model.weights[s.index].read().data()) as Float32Array, s.offset);
    }
    this.memory.statePublished(++this.version);
  }

  private saveForwardState(): ForwardState {
    return {
      feedbackSteps: this.feedback.map(([, fb]) => fb.step),
      buffers: this.state.slots
        .filter((s) => s.perReplica)
        .map((s) => [s.index, tf.clone(this.model.weights[s.index].read())]),
    };
  }

  private restoreForwardState(state: ForwardState): void {
    this.feedback.forEach(([, fb], i) => {
      fb.step = state.feedbackSteps[i];
    });
    for (const [index, t] of state.buffers) {
      this.model.weights[index].write(t);
      t.dispose();
    }
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
