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
import { openRunData } from '../data-sources';
import type { RunConfig } from '../presets';
import { modelFor } from '../run-model';

/** `repro eval --run DIR`: evaluates a run's last checkpoint on its test split. */
export async function evalCommand(opts: {
  run: string;
  data?: string;
  backend?: BackendChoice;
  json?: boolean;
}) {
  const configPath = join(opts.run, 'config.json');
  const ckpt = join(opts.run, 'last.ckpt');
  if (!existsSync(configPath) || !existsSync(ckpt)) {
    throw new Error(`${opts.run}: expected config.json and last.ckpt of a training run`);
  }
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as RunConfig;
  await selectBackend(opts.backend ?? 'auto');
  const model = modelFor(config);
  const { meta, tensors } = readCheckpoint<{ epoch: number }>(ckpt);
  const modelPart = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('optimizer:')));
  restoreModelTensors(model, modelPart, ckpt);
  tf.dispose(Object.values(tensors));
  const data = await openRunData(config, opts.data);
  const r = await evaluateClassifier(model, data.test);
  const result = { run: opts.run, epoch: meta.epoch, ...r };
  return opts.json
    ? `${JSON.stringify(result)}\n`
    : `${opts.run} after epoch ${meta.epoch}: loss ${r.loss.toFixed(4)}, top-1 error ${r.top1Err.toFixed(2)}%, top-5 error ${r.top5Err.toFixed(2)}% on ${r.count} images\n`;
}
