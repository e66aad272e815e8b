import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlignmentRecorder, readBackCost, withAlignmentProbe } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchSource } from './batch-source';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { ReplicaError } from './data-parallel/replica-error';
import { checkReplicaCount, type ReplicaOptions } from './data-parallel/replica-options';
import { ReplicaPool, type StepGradients } from './data-parallel/replica-pool';
import { feedbackLayers, learnFeedback } from './feedback-learning';
import type { LrSchedule } from './lr-schedule';
import { feedbackSteps, modelTensors, restoreFeedbackSteps, restoreModelTensors } from './model-state';
import { buildOptimizer, type GroupSpec } from './optimizer-groups';
import { createProgress, type Progress, type ProgressMode } from './progress';
import { type EpochRecord, RunLog } from './run-log';
import type { TrainingTask } from './task';

/** What the hook after each optimizer step sees (learned feedback, weight averaging, custom logging). */
export interface StepContext {
  model: LayersModel;
  epoch: number;
  /** Steps taken in this run, this one included. */
  globalStep: number;
  /** This step's gradients by variable name (see {@link StepContext.weightNames}), still alive. */
  grads: tf.NamedTensorMap;
  /** Stable `layer/weight` name of each variable name. */
  weightNames: ReadonlyMap<string, string>;
  /** Learning rate of each parameter group for this step. */
  learningRates: Record<string, number>;
  /**
   * Where the loop reads the loss only every few steps (GPU backends), a boolean scalar that is false when this
   * step is skipped on the device (its loss, or an earlier one's, is not finite): a hook that changes state should
   * write `tf.where(applied, next, previous)`. Undefined where the loss is read before the step, which then runs
   * only for finite losses.
   */
  applied?: tf.Tensor;
}

/** Options of {@link train}. */
export interface TrainOptions<B> {
  model: LayersModel;
  task: TrainingTask<B>;
  train: BatchSource<B>;
  test: BatchSource<B>;
  epochs: number;
  groups: GroupSpec[];
  /** Read at every step, so warm-ups and per-iteration milestones work as well as per-epoch ones. */
  schedule: LrSchedule;
  /** Run directory: config, logs and `last.ckpt`. */
  runDir: string;
  /** Saved in config.json and in every checkpoint. */
  config: Record<string, unknown>;
  /** Continue from `runDir/last.ckpt`. */
  resume?: boolean;
  /** Log alignment angles every N steps (0: never). */
  alignmentEvery?: number;
  /** Log a step row every N steps. Default 50. */
  logEvery?: number;
  /**
   * Read the losses back to the host every N steps. Default: every step where reads are cheap (wasm, cpu), every
   * 25 steps (`DEFERRED_LOSS_READS`) where a read stalls the device (feedback-rules' `readBackCost`);
   * then a non-finite loss is caught on the device, which skips that step and every later one until the read.
   */
  lossReadEvery?: number;
  progress?: ProgressMode;
  /** Set `stop.requested` (e.g. on Ctrl-C): the step finishes, a checkpoint is written and the run returns. */
  stop?: { requested: boolean };
  /** Train only this many epochs in this call (the run's `epochs` still sets the schedule). */
  epochLimit?: number;
  /**
   * Also write `last.ckpt` mid-epoch once this many minutes have passed since the last one, so a crash loses
   * at most that much work (an ImageNet epoch takes hours). Default: only at the end of each epoch.
   */
  checkpointMinutes?: number;
  /**
   * Runs after every optimizer step and the rules' feedback learning (each layer's `update` and mirror phase),
   * inside the step's `tf.tidy`; state it changes must live in variables.
   */
  afterStep?: (ctx: StepContext) => void;
  /**
   * Data-parallel training on `count` replicas (default 1: this thread alone), PyTorch DDP's semantics: each
   * replica computes the loss and gradients of its share of every batch (`task.split`), the gradients are averaged
   * over the global batch, and one optimizer step follows. Replica 0 is this thread (it owns the optimizer, the
   * feedback learning, `afterStep`, checkpoints and evaluation); the others are worker threads built by
   * `module`'s `createReplica(args)`. Batch norm normalises each share separately and the running statistics kept
   * are replica 0's. A failing replica ends the run with a {@link ReplicaError} after a checkpoint of the state
   * before the failed step. Checkpoints do not depend on the count.
   */
  replicas?: ReplicaOptions;
}

/** How a training call ended. */
export interface TrainResult {
  status: 'completed' | 'stopped' | 'epoch-limit';
  history: EpochRecord[];
  checkpoint: string;
}

/** Metadata of a checkpoint of {@link train}. */
interface CheckpointMeta {
  epoch: number;
  batch: number;
  globalStep: number;
  /** Sum over the epoch's batches so far of each named loss times the batch size. */
  partialLoss: number;
  partialParts?: Record<string, number>;
  partialSeen: number;
  epochSeconds: number;
  history: EpochRecord[];
  feedbackSteps: Record<string, number>;
  optimizerSteps: number;
  learningRates: Record<string, number>;
  config: Record<string, unknown>;
}

/** Raised when the loss stops being finite; the last good checkpoint is kept. */
export class DivergenceError extends Error {}

/** Steps between loss reads on backends where a read stalls the device. */
export const DEFERRED_LOSS_READS = 25;

/** A step whose losses the loop has not read back yet. */
interface PendingStep {
  epoch: number;
  /** Batches of the epoch done, this one included. */
  batch: number;
  globalStep: number;
  lr: number;
  size: number;
  losses: Record<string, tf.Scalar>;
  probe: AlignmentRecorder | null;
}

/**
 * The training loop of every BioProp task: SGD over parameter groups, the schedule read at every step, an
 * evaluation after every epoch, `last.ckpt` (model with feedback state, optimizer, position in the data,
 * config) at epoch ends and every `checkpointMinutes`, exact resume mid-epoch. A non-finite loss stops the run
 * with a {@link DivergenceError} before the weights change.
 */
export async function train<B>(opts: TrainOptions<B>): Promise<TrainResult> {
  const { model, task, epochs, schedule } = opts;
  const { checkpointMinutes } = opts;
  if (checkpointMinutes !== undefined && !(checkpointMinutes > 0 && checkpointMinutes < Infinity)) {
    throw new Error(`checkpointMinutes must be a positive number of minutes, got ${checkpointMinutes}`);
  }
  const readEvery = opts.lossReadEvery ?? (readBackCost() === 'cheap' ? 1 : DEFERRED_LOSS_READS);
  if (!(Number.isInteger(readEvery) && readEvery >= 1)) {
    throw new Error(`lossReadEvery must be a whole number of steps >= 1, got ${readEvery}`);
  }
  const logEvery = opts.logEvery ?? 50;
  const replicaCount = checkReplicaCount(opts.replicas?.count ?? 1, 'replicas.count');
  modelTensors(model); // checks, before any work, that every weight has a name of its own
  const log = new RunLog(opts.runDir);
  const ckptPath = join(opts.runDir, 'last.ckpt');
  const progress: Progress = createProgress(opts.progress, logEvery);
  const { sgd, names, trainables } = buildOptimizer(model, opts.groups);
  const feedback = feedbackLayers(model);
  const baseLr = Object.fromEntries(sgd.groups.map((g) => [g.name, g.lr]));

  let epoch = 0;
  let batch = 0;
  let globalStep = 0;
  let partialLoss = 0;
  let partialParts: Record<string, number> = {};
  let partialSeen = 0;
  let epochSeconds = 0;
  let history: EpochRecord[] = [];
  let windowStart = 0;
  let windowImages = 0;

  if (existsSync(ckptPath)) {
    if (!opts.resume) {
      throw new Error(
        `${opts.runDir} already holds a checkpoint (last.ckpt): pass --resume to continue it, or choose another run directory`,
      );
    }
    const { meta, tensors } = readCheckpoint<CheckpointMeta>(ckptPath);
    const modelPart: Record<string, tf.Tensor> = {};
    const buffers: Record<string, tf.Tensor> = {};
    const byOriginal = new Map([...names].map(([v, o]) => [o, v]));
    for (const [k, t] of Object.entries(tensors)) {
      if (k.startsWith('optimizer:')) {
        const v = byOriginal.get(k.slice('optimizer:'.length));
        if (!v) throw new Error(`${ckptPath}: momentum buffer for unknown weight '${k}'`);
        buffers[v] = t;
      } else modelPart[k] = t;
    }
    restoreModelTensors(model, modelPart, ckptPath);
    restoreFeedbackSteps(model, meta.feedbackSteps);
    sgd.setState({ steps: meta.optimizerSteps, learningRates: meta.learningRates, buffers });
    tf.dispose(Object.values(tensors));
    ({ epoch, batch, globalStep, partialLoss, partialSeen, epochSeconds, history } = meta);
    partialParts = meta.partialParts ?? {};
    log.event('resume', { epoch, batch, globalStep });
    progress.log(`resumed from ${ckptPath} at epoch ${epoch + 1}, step ${batch}`);
  } else {
    log.writeConfig(opts.config);
  }

  // Started after a resume's restore: the workers begin from the state the run continues from.
  const pool =
    replicaCount > 1
      ? await ReplicaPool.start({ model, task, trainables, replicas: opts.replicas as ReplicaOptions })
      : null;
  if (pool) {
    log.event('replicas', { count: pool.count });
    progress.log(`data-parallel: ${pool.count} replicas (this thread and ${pool.count - 1} worker threads)`);
  }

  // Steps taken on the device whose losses are not read yet; `applied` turns false at the first non-finite one.
  const pending: PendingStep[] = [];
  const applied = readEvery > 1 ? tf.tidy(() => tf.variable(tf.scalar(true, 'bool'), false)) : undefined;

  /** Books a read step: the epoch's mean losses, the progress line, the step log. */
  const record = (s: PendingStep, values: Record<string, number>) => {
    partialLoss += values.loss * s.size;
    for (const [name, v] of Object.entries(values)) {
      if (name !== 'loss') partialParts[name] = (partialParts[name] ?? 0) + v * s.size;
    }
    partialSeen += s.size;
    windowImages += s.size;
    const ips = windowImages / ((performance.now() - windowStart) / 1000);
    progress.update(s.batch, { loss: values.loss, imagesPerSec: ips });
    if (s.globalStep % logEvery === 0) {
      log.step({
        epoch: s.epoch + 1,
        step: s.batch,
        globalStep: s.globalStep,
        lr: s.lr,
        loss: values.loss,
        ...values,
        imagesPerSec: ips,
      });
      windowStart = performance.now();
      windowImages = 0;
    }
  };

  /** The run's end at a non-finite loss; the step (and, deferred, every later one) was not applied. */
  const diverged = (s: PendingStep, loss: number): DivergenceError => {
    progress.stop();
    log.event('diverged', {
      epoch: s.epoch,
      batch: s.batch - 1,
      globalStep: s.globalStep - 1,
      loss: String(loss),
    });
    return new DivergenceError(
      `training diverged: the loss is ${loss} at epoch ${s.epoch + 1}, step ${s.batch}. The weights were not ` +
        'updated; the last good checkpoint ' +
        (existsSync(ckptPath)
          ? `is ${ckptPath}`
          : 'does not exist yet (the run diverged in its first epoch)') +
        '. Try a lower learning rate.',
    );
  };

  /** Reads every pending step's losses in one transfer and books them in order. */
  const readPending = async () => {
    if (pending.length === 0) return;
    const steps = pending.splice(0);
    const scalars = steps.flatMap((s) => Object.values(s.losses));
    const stacked = tf.stack(scalars);
    tf.dispose(scalars);
    const data = await stacked
      .data()
      .catch((e) => {
        for (const s of steps) s.probe?.dispose();
        throw e;
      })
      .finally(() => stacked.dispose());
    let i = 0;
    for (const [k, s] of steps.entries()) {
      const values: Record<string, number> = {};
      for (const name of Object.keys(s.losses)) values[name] = data[i++];
      if (!Number.isFinite(values.loss)) {
        for (const later of steps.slice(k)) later.probe?.dispose();
        throw diverged(s, values.loss);
      }
      if (s.probe) log.alignment(s.globalStep, await s.probe.read());
      record(s, values);
    }
  };

  const checkpointMs = checkpointMinutes !== undefined ? checkpointMinutes * 60_000 : Infinity;
  let lastSave = performance.now();
  /** Writes `last.ckpt`; `secondsThisEpoch` is the training time of the current epoch so far. */
  const save = async (secondsThisEpoch: number) => {
    await readPending();
    const tensors = modelTensors(model);
    const state = sgd.getState();
    for (const [v, t] of Object.entries(state.buffers)) tensors[`optimizer:${names.get(v)}`] = t;
    const meta: CheckpointMeta = {
      epoch,
      batch,
      globalStep,
      partialLoss,
      partialParts,
      partialSeen,
      epochSeconds: secondsThisEpoch,
      history,
      feedbackSteps: feedbackSteps(model),
      optimizerSteps: state.steps,
      learningRates: state.learningRates,
      config: opts.config,
    };
    await writeCheckpoint(ckptPath, { meta, tensors });
    tf.dispose(Object.values(state.buffers));
    lastSave = performance.now();
  };

  // The momentum buffers are freed and the replicas ended however the run ends: completed, stopped, at an epoch
  // limit, diverged or failed.
  try {
    const lastEpoch = Math.min(epochs, opts.epochLimit !== undefined ? epoch + opts.epochLimit : epochs);
    const total = opts.train.batchesPerEpoch;
    while (epoch < lastEpoch) {
      progress.start(epoch, epochs, total, batch);
      const t0 = performance.now();
      windowStart = performance.now();
      windowImages = 0;
      for await (const b of opts.train.epoch(epoch, { startBatch: batch })) {
        const factor = schedule.factor(epoch, globalStep);
        for (const g of sgd.groups) sgd.setLearningRate(baseLr[g.name] * factor, g.name);
        const probe =
          opts.alignmentEvery && globalStep % opts.alignmentEvery === 0 ? new AlignmentRecorder() : null;
        const forward = (x: B): StepGradients =>
          tf.tidy(() => {
            let losses: Record<string, tf.Scalar> = {};
            const { grads } = tf.variableGrads(() => {
              losses = task.trainingStep(model, x);
              // The tape's forward tidy keeps only what it returns; the named parts must outlive it too.
              for (const [name, t] of Object.entries(losses)) if (name !== 'loss') tf.keep(t);
              return losses.loss;
            }, trainables);
            return { losses, grads };
          });
        // With replicas, this thread's forward pass (and the alignment probe) sees its own share of the batch.
        const own = (x: B) => (probe ? withAlignmentProbe(probe, () => forward(x)) : forward(x));
        let result: StepGradients;
        try {
          result = pool ? await pool.gradients(b, own) : own(b);
        } catch (err) {
          probe?.dispose();
          if (!(err instanceof ReplicaError)) throw err;
          // The pool left the model as it was before this step: checkpoint that state, then end the run.
          progress.stop();
          await save(epochSeconds + (performance.now() - t0) / 1000);
          log.event('replica-failed', { epoch, batch, globalStep, replica: err.replica, error: err.message });
          throw new ReplicaError(
            err.replica,
            `data-parallel training stopped at epoch ${epoch + 1}, step ${batch + 1}: ${err.message}. ` +
              `${ckptPath} holds the state before this step; resume from it (with any replica count).`,
            { cause: err },
          );
        }
        const { losses, grads } = result;
        const step: PendingStep = {
          epoch,
          batch: batch + 1,
          globalStep: globalStep + 1,
          lr: sgd.groups[0].lr,
          size: task.batchSize(b),
          losses,
          probe,
        };
        pending.push(step);
        if (applied) {
          tf.tidy(() => {
            applied.assign(tf.logicalAnd(applied, tf.isFinite(losses.loss)));
          });
        } else {
          // Read before the step, so a non-finite loss leaves the weights as they were.
          await readPending().catch((e) => {
            tf.dispose(Object.values(grads));
            throw e;
          });
        }
        tf.tidy(() => {
          sgd.step(grads, applied);
          // Rules that learn their feedback (Kolen-Pollack's update, the weight mirror's phase) follow the step.
          learnFeedback(feedback, sgd, grads, step.globalStep, applied);
          opts.afterStep?.({
            model,
            epoch,
            globalStep: step.globalStep,
            grads,
            weightNames: names,
            learningRates: Object.fromEntries(sgd.groups.map((g) => [g.name, g.lr])),
            applied,
          });
        });
        tf.dispose(Object.values(grads));
        await pool?.publish();
        batch++;
        globalStep++;
        if (pending.length >= readEvery) await readPending();
        // Let signal handlers run: an in-memory epoch never leaves the microtask queue otherwise.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const saveDue = batch < total && performance.now() - lastSave >= checkpointMs;
        if (opts.stop?.requested || saveDue) await readPending(); // the epoch's time includes the device's work
        const secondsThisEpoch = epochSeconds + (performance.now() - t0) / 1000;
        if (opts.stop?.requested) {
          progress.stop();
          await save(secondsThisEpoch);
          log.event('stopped', { epoch, batch, globalStep });
          progress.log(`stopped at epoch ${epoch + 1}, step ${batch}; checkpoint written to ${ckptPath}`);
          return { status: 'stopped', history, checkpoint: ckptPath };
        }
        if (saveDue) {
          await save(secondsThisEpoch);
          log.event('checkpoint', { epoch, batch, globalStep });
        }
      }
      await readPending();
      progress.stop();
      const trainSeconds = epochSeconds + (performance.now() - t0) / 1000;
      const metrics = await task.evaluate(model, opts.test);
      const seen = Math.max(1, partialSeen);
      const parts = Object.fromEntries(
        Object.entries(partialParts).map(([k, v]) => [`train_${k}`, v / seen]),
      );
      const rec: EpochRecord = {
        epoch: epoch + 1,
        lr: sgd.groups[0].lr,
        trainLoss: partialLoss / seen,
        ...parts,
        ...metrics,
        seconds: trainSeconds,
        imagesPerSec: partialSeen / trainSeconds,
        numTensors: tf.memory().numTensors,
        rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
      };
      history = [...history, rec];
      log.epoch(rec);
      const partsText = Object.entries(partialParts)
        .map(([k, v]) => `${k} ${(v / seen).toFixed(4)}`)
        .join(', ');
      progress.log(
        `epoch ${rec.epoch}/${epochs}: train loss ${rec.trainLoss.toFixed(4)}${partsText ? ` (${partsText})` : ''}, ` +
          `${task.describeMetrics(metrics)}, ${rec.seconds.toFixed(0)} s, ` +
          `${rec.imagesPerSec.toFixed(1)} img/s, ${rec.numTensors} tensors, RSS ${rec.rssMB} MB`,
      );
      epoch++;
      batch = 0;
      partialLoss = 0;
      partialParts = {};
      partialSeen = 0;
      epochSeconds = 0;
      await save(0);
      if (opts.stop?.requested) return { status: 'stopped', history, checkpoint: ckptPath };
    }
    return { status: epoch >= epochs ? 'completed' : 'epoch-limit', history, checkpoint: ckptPath };
  } finally {
    await pool?.close();
    sgd.dispose();
    applied?.dispose();
    for (const s of pending) {
      tf.dispose(Object.values(s.losses));
      s.probe?.dispose();
    }
  }
}
