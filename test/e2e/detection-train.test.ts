import '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
/** The same run's flags without `--data`: a resumed or evaluated run reads the folder it recorded. */
const smallWithoutData = small.filter((a, i) => a !== '--data' && small[i - 1] !== '--data');

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
    expect(config).toMatchObject({
      family: 'detection',
      rule: 'ss',
      lr: 0.005,
      batchSize: 8,
      width: 4,
      data,
    });
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
    const resumed = await runCli(['train', ...smallWithoutData, '--out', dir, '--resume']);
    expect(resumed.code).toBe(0);
    expect(weights(dir)).toEqual(weights(straight));
  });

  it('eval reproduces the last epoch; its COCO results file scores the same in coco-eval; report draws the detection table', async () => {
    const evalArgs = ['eval', '--run', straight, '--data', data, '--backend', 'wasm', '--json'];
    const evaluated = await runCli(evalArgs);
    expect(evaluated.code).toBe(0);
    const r = JSON.parse(evaluated.stdout);
    expect(r).toMatchObject({
      at: 'after epoch 2',
      images: 16,
      results: join(straight, 'detections_val.json'),
    });
    const last = rows(straight).filter((l) => l.type === 'epoch')[1];
    // The run logs the 12 numbers x100; pycocotools' summary (and coco-eval's JSON) are fractions.
    for (const k of [
      'AP',
      'AP50',
      'AP75',
      'APs',
      'APm',
      'APl',
      'AR1',
      'AR10',
      'AR100',
      'ARs',
      'ARm',
      'ARl',
    ]) {
      expect(r[k] * 100).toBeCloseTo(last[k], 6);
    }
    expect(JSON.parse(readFileSync(r.results, 'utf8'))).toHaveLength(r.detections);

    // Two epochs leave few scores above 0.05: with no threshold every image gets its 100 detections.
    const results = join(root, 'all-detections.json');
    const all = JSON.parse((await runCli([...evalArgs, '--score-thresh', '0', '--results', results])).stdout);
    expect(all.detections).toBe(1600);
    expect(all.AP50).toBeGreaterThan(0);
    const detections = JSON.parse(readFileSync(results, 'utf8'));
    expect(detections).toHaveLength(1600);
    expect(Object.keys(detections[0]).sort()).toEqual(['bbox', 'category_id', 'image_id', 'score']);
    const scored = await runCli([
      'coco-eval',
      '--gt',
      join(data, 'instances_val.json'),
      '--dt',
      results,
      '--json',
    ]);
    expect(scored.code).toBe(0);
    // The ground truth holds exactly the 16 validation images the run used.
    for (const k of ['AP', 'AP50', 'AR100']) expect(JSON.parse(scored.stdout)[k]).toBeCloseTo(all[k], 12);
    // Without --data, eval reads the folder the run recorded.
    const text = await runCli(['eval', '--run', straight, '--backend', 'wasm']);
    expect(text.stdout).toContain(`${r.detections} detections on 16 images`);
    expect(text.stdout).toMatch(
      /Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = \d\.\d{3}/,
    );

    const out = join(root, 'report');
    const report = await runCli(['report', straight, '--out', out]);
    expect(report.code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain(
      `| ss | 2/2 | ${last.AP.toFixed(2)} | ${last.AP50.toFixed(2)} | ${last.AP75.toFixed(2)} |`,
    );
    // A shrunk run is not compared with the PyTorch reference of its preset. It ran on one process (wasm's
    // threads by default, not replicas), so the replica count is not among the changes.
    expect(md).toMatch(
      /not the reference run \(batchSize, epochs, lr, milestones, testLimit, trainLimit, width changed\)/,
    );
    expect(md).toMatch(/\| 1 \| \d\.\d{4} \| \d\.\d{4} \| \d+\.\d\d \|/);
    expect(readFileSync(join(out, 'detection-ap.svg'), 'utf8')).toContain('<svg');
    expect(existsSync(join(out, 'test-error.svg'))).toBe(false);
  });

  it('bad input: an annotation of an unknown category is named; crowd-only images train as background', async () => {
    const edited = (name: string, edit: (train: { annotations: Record<string, unknown>[] }) => void) => {
      const dir = join(root, name);
      mkdirSync(dir);
      symlinkSync(join(data, 'images'), join(dir, 'images'));
      writeFileSync(join(dir, 'instances_val.json'), readFileSync(join(data, 'instances_val.json')));
      const train = JSON.parse(readFileSync(join(data, 'instances_train.json'), 'utf8'));
      edit(train);
      writeFileSync(join(dir, 'instances_train.json'), JSON.stringify(train));
      return dir;
    };
    const unknown = edited('unknown-category', (t) => {
      t.annotations[3].category_id = 99;
    });
    const bad = await runCli([
      'train',
      ...small,
      '--data',
      unknown,
      '--out',
      join(root, 'u'),
      '--epochs',
      '1',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(join(unknown, 'instances_train.json'));
    expect(bad.stderr).toMatch(/annotation \d+ refers to unknown category_id 99/);
    expect(existsSync(join(root, 'u', 'last.ckpt'))).toBe(false);

    let crowdImage = 0;
    const crowd = edited('crowd-only', (t) => {
      crowdImage = t.annotations[0].image_id as number;
      for (const a of t.annotations) if (a.image_id === crowdImage) a.iscrowd = 1;
    });
    const crowdCount = (
      JSON.parse(readFileSync(join(crowd, 'instances_train.json'), 'utf8')).annotations as {
        image_id: number;
      }[]
    ).filter((a) => a.image_id === crowdImage).length;
    const ok = await runCli(['train', ...small, '--data', crowd, '--out', join(root, 'c'), '--epochs', '1']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(
      new RegExp(
        `48 training images \\(\\d+ boxes, 0 degenerate boxes dropped, ${crowdCount} crowd regions?\\)`,
      ),
    );
    expect(rows(join(root, 'c')).filter((l) => l.type === 'epoch')[0].trainLoss).toBeGreaterThan(0);
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
