import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BackendChoice,
  evaluateClassifier,
  readCheckpoint,
  restoreModelTensors,
  selectBackend,
} from '@bioprop/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { openRunData } from '../data-sources';
import { type DetectionRunConfig, isDetectionConfig } from '../detection/detection-presets';
import { evalDetection } from '../detection/eval-detection';
import type { RunConfig } from '../presets';
import { modelFor } from '../run-model';
import { wasmThreadCount } from './parallelism';
import { runDataDir } from './training-run';

/** Options of `repro eval`. */
export interface EvalCommandOptions {
  run: string;
  data?: string;
  backend?: BackendChoice;
  /** Detection: where the COCO results JSON goes. */
  results?: string;
  /** Detection: overrides the run's score threshold. */
  scoreThresh?: number;
  json?: boolean;
}

/**
 * `repro eval --run DIR`: evaluates a run's last checkpoint on its test split: top-1/top-5 for a classifier; COCO
 * results JSON and the 12 COCO numbers for a detector.
 */
export async function evalCommand(opts: EvalCommandOptions): Promise<string> {
  const configPath = join(opts.run, 'config.json');
  const ckpt = join(opts.run, 'last.ckpt');
  if (!existsSync(configPath) || !existsSync(ckpt)) {
    throw new Error(`${opts.run}: expected config.json and last.ckpt of a training run`);
  }
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as RunConfig | DetectionRunConfig;
  await selectBackend(opts.backend ?? 'auto', { wasmThreads: wasmThreadCount(undefined, 1) });
  /** Loads the checkpoint's weights into `model`; says where in training it was written. */
  const restore = (model: LayersModel) => {
    const { meta, tensors } = readCheckpoint<{ epoch: number; batch?: number }>(ckpt);
    const modelPart = Object.fromEntries(
      Object.entries(tensors).filter(([k]) => !k.startsWith('optimizer:')),
    );
    try {
      restoreModelTensors(model, modelPart, ckpt);
    } finally {
      tf.dispose(Object.values(tensors));
    }
    return meta.batch ? `at epoch ${meta.epoch + 1}, step ${meta.batch}` : `after epoch ${meta.epoch}`;
  };
  const data = runDataDir(opts.data, config);
  if (isDetectionConfig(config)) return evalDetection(config, restore, { ...opts, data });

  const model = modelFor(config);
  const at = restore(model);
  const r = await evaluateClassifier(model, (await openRunData(config, data)).test);
  return opts.json
    ? `${JSON.stringify({ run: opts.run, at, ...r })}\n`
    : `${opts.run} ${at}: loss ${r.loss.toFixed(4)}, top-1 error ${r.top1Err.toFixed(2)}%, top-5 error ${r.top5Err.toFixed(2)}% on ${r.count} images\n`;
}
