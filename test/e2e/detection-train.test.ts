import '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint } from '@bioprop/trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './run-cli';

const root = mkdtempSync(join(tmpdir(), 'repro-detection-'));
const data = join(root, 'mosaic');
// A small mosaic-retinanet run on wasm: ResNet-18 width 4, 48 training canvases (6 steps of 8), 16 validation.
const small = [
  '--preset',
  'mosaic-retinanet-ss',
  '--data',
  data,
  '--backend',
  'wasm',
  '--width',
  '4',
  '--batch-size',
  '8',
  '--train-limit',
  '48',
  '--test-limit',
  '16',
  '--epochs',
  '2',
  '--progress',
  'lines',
  '--log-every',
  '1',
  '--alignment-every',
  '3',
];

const weights = (dir: string) => {
  const { tensors } = readCheckpoint(join(dir, 'last.ckpt'));
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t.dataSync())]));
};
const rows = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('repro train with a detection preset (RetinaNet on fashion-mosaic)', () => {
  const straight = join(root, 'straight');

  beforeAll(async () => {
    const r = await runCli([
      'prepare',
      'fashion-mosaic',
      '--out',
      data,
      '--train',
      '64',
      '--val',
      '16',
      '--seed',
      '3',
    ]);
    expect(r.code).toBe(0);
  });

  it('trains, logs both losses and the COCO numbers per epoch, and keeps memory flat', async () => {
    const r = await runCli(['train', ...small, '--out', straight]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /fashion-mosaic at .*: 48 training images \(\d+ boxes, 0 degenerate boxes dropped/,
    );
    expect(r.stderr).toMatch(
      /epoch 2\/2: train loss \d+\.\d+ \(classification \d+\.\d+, boxRegression \d+\.\d+\), AP /,
    );
    const epochs = rows(straight).filter((l) => l.type === 'epoch');
    expect(epochs).toHaveLength(2);
    for (const e of epochs) {
      expect(e.trainLoss).toBeCloseTo(e.train_classification + e.train_boxRegression, 5);
      for (const k of ['AP', 'AP50', 'AP75', 'AR100']) expect(e[k]).toBeGreaterThanOrEqual(0);
    }
    expect(epochs[1].numTensors).toBe(epochs[0].numTensors);
    // The warm-up (lr/3 over 100 iterations) is applied per step.
    const steps = rows(straight).filter((l) => l.type === 'step');
    expect(steps[0].lr).toBeCloseTo(0.005 / 3, 9); // lr 0.01 scaled to batch 8, warm-up factor 1/3 at step 0
    expect(steps[5].lr).toBeGreaterThan(steps[0].lr);
    const config = JSON.parse(readFileSync(join(straight, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ family: 'detection', rule: 'ss', lr: 0.005, batchSize: 8, width: 4 });
  });

  it('Ctrl-C mid-epoch checkpoints; --resume continues with the same batches and weights, bit for bit', async () => {
    const dir = join(root, 'interrupted');
    const { child, done } = startCli(['train', ...small, '--out', dir]);
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (c: Buffer) => {
        if (String(c).includes('epoch 2/2 step 2/')) resolve();
      });
      child.once('exit', () => reject(new Error('training ended before epoch 2, step 2')));
    });
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/stopped at epoch 2, step \d+; checkpoint written/);
    const resumed = await runCli(['train', ...small, '--out', dir, '--resume']);
    expect(resumed.code).toBe(0);
    expect(weights(dir)).toEqual(weights(straight));
  });

  it('bad input: no --data, a data folder without instances files, a backbone checkpoint of another network', async () => {
    const none = await runCli(['train', '--preset', 'mosaic-retinanet-bp', '--out', join(root, 'x')]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/needs --data DIR: make it with `repro prepare fashion-mosaic/);
    const empty = await runCli(['train', ...small, '--out', join(root, 'y'), '--data', root]);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/instances_train\.json does not exist/);
    // A fashion classifier has the small stem (3x3), not the detector's ImageNet stem (7x7).
    const clf = join(root, 'classifier');
    const trained = await runCli([
      'train',
      '--preset',
      'fashion-quick-bp',
      '--width',
      '4',
      '--train-limit',
      '64',
      '--test-limit',
      '32',
      '--epochs',
      '1',
      '--backend',
      'wasm',
      '--out',
      clf,
    ]);
    expect(trained.code).toBe(0);
    const ckpt = join(clf, 'last.ckpt');
    const other = await runCli(['train', ...small, '--out', join(root, 'z'), '--backbone-checkpoint', ckpt]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(
      `${ckpt}: weight 'stem.0/kernel' has shape [3,3,1,4], the backbone expects [7,7,1,4]`,
    );
  });
});
