import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlignmentRecorder, type ParamGroup, SGD, withAlignmentProbe } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchSource } from './batch-source';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { crossEntropy } from './classification-metrics';
import { evaluateClassifier } from './evaluate';
import type { LrSchedule } from './lr-schedule';
import { feedbackSteps, modelTensors, restoreFeedbackSteps, restoreModelTensors } from './model-state';
import { createProgress, type Progress, type ProgressMode } from './progress';
import { type EpochRecord, RunLog } from './run-log';

/** Optimizer settings of one parameter group; `layers` picks its layers (the group without it takes the rest). */
export interface GroupSpec extends Omit<ParamGroup, 'params'> {
  layers?: string[];
}

/** Options of {@link trainClassifier}. */
export interface TrainClassifierOptions {
  model: LayersModel;
  train: BatchSource;
  test: BatchSource;
  epochs: number;
  groups: GroupSpec[];
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
}

/** How a training call ended. */
export interface TrainResult {
  status: 'completed' | 'stopped' | 'epoch-limit';
  history: EpochRecord[];
  checkpoint: string;
}

/** Metadata of a classification checkpoint. */
interface CheckpointMeta {
  epoch: number;
  batch: number;
  globalStep: number;
  partialLoss: number;
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

function buildOptimizer(model: LayersModel, groups: GroupSpec[]): { sgd: SGD; names: Map<string, string> } {
  const claimed = new Set(groups.flatMap((g) => g.layers ?? []));
  for (const name of claimed) model.getLayer(name); // throws for a layer that does not exist
  const rest = groups.filter((g) => !g.layers);
  if (rest.length > 1) throw new Error('only one parameter group may leave out `layers`');
  const names = new Map<string, string>();
  const paramGroups: ParamGroup[] = groups.map((g) => {
    const params: tf.Variable[] = [];
    for (const layer of model.layers) {
      const mine = g.layers ? g.layers.includes(layer.name) : !claimed.has(layer.name);
      if (!mine) continue;
      for (const w of layer.trainableWeights) {
        const v = w.read() as tf.Variable;
        names.set(v.name, w.originalName);
        params.push(v);
      }
    }
    const { layers: _layers, ...settings } = g;
    return { ...settings, params };
  });
  return { sgd: new SGD(paramGroups), names };
}

/**
 * Trains a classifier with SGD, evaluating after every epoch and writing `last.ckpt` (model with feedback state,
 * optimizer, position in the data, config). A non-finite loss stops the run with a {@link DivergenceError}.
 */
export async function trainClassifier(opts: TrainClassifierOptions): Promise<TrainResult> {
  const { model, train, test, epochs, schedule } = opts;
  const { checkpointMinutes } = opts;
  if (checkpointMinutes !== undefined && !(checkpointMinutes > 0 && checkpointMinutes < Infinity)) {
    throw new Error(`checkpointMinutes must be a positive number of minutes, got ${checkpointMinutes}`);
  }
  const log = new RunLog(opts.runDir);
  const ckptPath = join(opts.runDir, 'last.ckpt');
  const progress: Progress = createProgress(opts.progress, opts.logEvery ?? 50);
  const { sgd, names } = buildOptimizer(model, opts.groups);
  const baseLr = Object.fromEntries(sgd.groups.map((g) => [g.name, g.lr]));
  const params = [...names.keys()];
  const varByName = new Map(
    model.trainableWeights.map((w) => [(w.read() as tf.Variable).name, w.read() as tf.Variable]),
  );
  const trainables = params.map((n) => varByName.get(n)!);

  let epoch = 0;
  let batch = 0;
  let globalStep = 0;
  let partialLoss = 0;
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
    const total = train.batchesPerEpoch;
    while (epoch < lastEpoch) {
      const factor = schedule.factor(epoch, globalStep);
      for (const g of sgd.groups) sgd.setLearningRate(baseLr[g.name] * factor, g.name);
      progress.start(epoch, epochs, total, batch);
      const t0 = performance.now();
      let windowStart = performance.now();
      let windowImages = 0;
      for await (const b of train.epoch(epoch, { startBatch: batch })) {
        const probe =
          opts.alignmentEvery && globalStep % opts.alignmentEvery === 0 ? new AlignmentRecorder() : null;
        let loss = Number.NaN;
        const run = () =>
          tf.tidy(() => {
            const x = tf.tensor4d(b.images, b.shape);
            const y = tf.tensor1d(b.labels, 'int32');
            const { value, grads } = tf.variableGrads(
              () => crossEntropy(model.apply(x, { training: true }) as tf.Tensor2D, y),
              trainables,
            );
            loss = value.dataSync()[0];
            if (Number.isFinite(loss)) sgd.step(grads);
          });
        if (probe) withAlignmentProbe(probe, run);
        else run();
        if (!Number.isFinite(loss)) {
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
        if (probe) log.alignment(globalStep, probe.layers);
        partialLoss += loss * b.labels.length;
        partialSeen += b.labels.length;
        windowImages += b.labels.length;
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
      const result = await evaluateClassifier(model, test);
      const rec: EpochRecord = {
        epoch: epoch + 1,
        lr: sgd.groups[0].lr,
        trainLoss: partialLoss / Math.max(1, partialSeen),
        testLoss: result.loss,
        top1Err: result.top1Err,
        top5Err: result.top5Err,
        seconds: trainSeconds,
        imagesPerSec: partialSeen / trainSeconds,
        numTensors: tf.memory().numTensors,
        rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
      };
      history = [...history, rec];
      log.epoch(rec);
      progress.log(
        `epoch ${rec.epoch}/${epochs}: train loss ${rec.trainLoss.toFixed(4)}, test loss ${rec.testLoss.toFixed(4)}, ` +
          `top-1 err ${rec.top1Err.toFixed(2)}%, top-5 err ${rec.top5Err.toFixed(2)}%, ${rec.seconds.toFixed(0)} s, ` +
          `${rec.imagesPerSec.toFixed(1)} img/s, ${rec.numTensors} tensors, RSS ${rec.rssMB} MB`,
      );
      epoch++;
      batch = 0;
      partialLoss = 0;
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
