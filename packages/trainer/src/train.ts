import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlignmentRecorder, withAlignmentProbe } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchSource } from './batch-source';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
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
  modelTensors(model); // checks, before any work, that every weight has a name of its own
  const log = new RunLog(opts.runDir);
  const ckptPath = join(opts.runDir, 'last.ckpt');
  const progress: Progress = createProgress(opts.progress, opts.logEvery ?? 50);
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

  const checkpointMs = checkpointMinutes !== undefined ? checkpointMinutes * 60_000 : Infinity;
  let lastSave = performance.now();
  /** Writes `last.ckpt`; `secondsThisEpoch` is the training time of the current epoch so far. */
  const save = async (secondsThisEpoch: number) => {
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

  // The momentum buffers are freed however the run ends: completed, stopped, at an epoch limit or diverged.
  try {
    const lastEpoch = Math.min(epochs, opts.epochLimit !== undefined ? epoch + opts.epochLimit : epochs);
    const total = opts.train.batchesPerEpoch;
    while (epoch < lastEpoch) {
      progress.start(epoch, epochs, total, batch);
      const t0 = performance.now();
      let windowStart = performance.now();
      let windowImages = 0;
      for await (const b of opts.train.epoch(epoch, { startBatch: batch })) {
        const factor = schedule.factor(epoch, globalStep);
        for (const g of sgd.groups) sgd.setLearningRate(baseLr[g.name] * factor, g.name);
        const probe =
          opts.alignmentEvery && globalStep % opts.alignmentEvery === 0 ? new AlignmentRecorder() : null;
        // The losses are read before the step is applied, so a non-finite loss leaves the weights as they were.
        const forward = () =>
          tf.tidy(() => {
            let losses: Record<string, tf.Scalar> = {};
            const { grads } = tf.variableGrads(() => {
              losses = task.trainingStep(model, b);
              // The tape's forward tidy keeps only what it returns; the named parts must outlive it too.
              for (const [name, t] of Object.entries(losses)) if (name !== 'loss') tf.keep(t);
              return losses.loss;
            }, trainables);
            return { losses, grads };
          });
        const { losses, grads } = probe ? withAlignmentProbe(probe, forward) : forward();
        const values: Record<string, number> = {};
        for (const [name, t] of Object.entries(losses)) values[name] = (await t.data())[0];
        const loss = values.loss;
        if (Number.isFinite(loss)) {
          tf.tidy(() => {
            sgd.step(grads);
            // Rules that learn their feedback (Kolen-Pollack's update, the weight mirror's phase) follow the step.
            learnFeedback(feedback, sgd, grads, globalStep + 1);
            opts.afterStep?.({
              model,
              epoch,
              globalStep: globalStep + 1,
              grads,
              weightNames: names,
              learningRates: Object.fromEntries(sgd.groups.map((g) => [g.name, g.lr])),
            });
          });
        }
        tf.dispose([...Object.values(losses), ...Object.values(grads)]);
        if (!Number.isFinite(loss)) {
          probe?.dispose();
          progress.stop();
          const where = `epoch ${epoch + 1}, step ${batch + 1}`;
          log.event('diverged', { epoch, batch, globalStep, loss: String(loss) });
          throw new DivergenceError(
            `training diverged: the loss is ${loss} at ${where}. The weights were not updated; the last good checkpoint ` +
              (existsSync(ckptPath)
                ? `is ${ckptPath}`
                : 'does not exist yet (the run diverged in its first epoch)') +
              '. Try a lower learning rate.',
          );
        }
        if (probe) log.alignment(globalStep, await probe.read());
        const n = task.batchSize(b);
        partialLoss += loss * n;
        for (const [name, v] of Object.entries(values)) {
          if (name !== 'loss') partialParts[name] = (partialParts[name] ?? 0) + v * n;
        }
        partialSeen += n;
        windowImages += n;
        batch++;
        globalStep++;
        const ips = windowImages / ((performance.now() - windowStart) / 1000);
        progress.update(batch, { loss, imagesPerSec: ips });
        if (globalStep % (opts.logEvery ?? 50) === 0) {
          log.step({
            epoch: epoch + 1,
            step: batch,
            globalStep,
            lr: sgd.groups[0].lr,
            loss,
            ...values,
            imagesPerSec: ips,
          });
          windowStart = performance.now();
          windowImages = 0;
        }
        // Let signal handlers run: an in-memory epoch never leaves the microtask queue otherwise.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const secondsThisEpoch = epochSeconds + (performance.now() - t0) / 1000;
        if (opts.stop?.requested) {
          progress.stop();
          await save(secondsThisEpoch);
          log.event('stopped', { epoch, batch, globalStep });
          progress.log(`stopped at epoch ${epoch + 1}, step ${batch}; checkpoint written to ${ckptPath}`);
          return { status: 'stopped', history, checkpoint: ckptPath };
        }
        if (batch < total && performance.now() - lastSave >= checkpointMs) {
          await save(secondsThisEpoch);
          log.event('checkpoint', { epoch, batch, globalStep });
        }
      }
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
    sgd.dispose();
  }
}
