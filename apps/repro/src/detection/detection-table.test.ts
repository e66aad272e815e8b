import type { EpochRecord } from '@bioprop/trainer';
import { describe, expect, it } from 'vitest';
import { DETECTION_PRESETS } from './detection-presets';
import { type DetectionRun, detectionEpochTable, detectionTable, presetOverrides } from './detection-table';

const epoch = (n: number, AP: number, AP50: number): EpochRecord => ({
  epoch: n,
  lr: 0.01,
  trainLoss: 1,
  seconds: 600,
  imagesPerSec: 6.7,
  numTensors: 232,
  rssMB: 500,
  train_classification: 0.3,
  train_boxRegression: 0.15,
  AP,
  AP50,
  AP75: 30,
  APs: 28,
  APm: 35,
  APl: -100,
});

function run(preset: string, change: Record<string, unknown> = {}): DetectionRun {
  const config = { ...structuredClone(DETECTION_PRESETS[preset].config), backend: 'wasm', ...change };
  return { dir: `runs/${preset}`, config, epochs: [epoch(1, 0, 0), epoch(10, 30, 40)] };
}

describe('detection tables', () => {
  it('compare the final AP and AP50 with the mean of the PyTorch seeds, by hand', () => {
    const md = detectionTable([run('mosaic-retinanet-bp'), run('mosaic-retinanet-fa', { seed: 1 })]);
    // bp: AP 30 against (31.15 + 31.46) / 2 = 31.305 -> -1.305 (float64 -1.30499..., printed -1.30), within 2;
    // AP50 40 against 39.03 -> +0.97.
    expect(md).toContain(
      '| bp | 10/10 | 30.00 | 40.00 | 30.00 | 28.00 | 35.00 | -100.00 | 31.15 / 31.46 | -1.30 | yes (2) | 38.65 / 39.41 | +0.97 |',
    );
    // fa: AP 30 against 0.035 -> +29.965 (printed +29.96), outside 1.5; another seed is still the reference's run.
    expect(md).toContain('| fa | 10/10 | 30.00 | 40.00 |');
    expect(md).toContain('| 0.04 / 0.03 | +29.96 | no (1.5) | 0.17 / 0.14 | +39.84 |');
  });

  it('do not compare a run whose settings differ from its preset', () => {
    const shrunk = run('mosaic-retinanet-ss', { width: 4, trainLimit: 48 });
    expect(presetOverrides(shrunk.config)).toEqual(['trainLimit', 'width']);
    expect(detectionTable([shrunk])).toContain('not the reference run (trainLimit, width changed)');
    // One replica is the reference's single process; two normalise batch norm per share.
    expect(presetOverrides(run('mosaic-retinanet-ss', { replicas: 1 }).config)).toEqual([]);
    expect(presetOverrides(run('mosaic-retinanet-ss', { replicas: 2 }).config)).toEqual(['replicas']);
    expect(detectionEpochTable([shrunk])).toContain(
      '| 10 | 0.3000 | 0.1500 | 30.00 | 40.00 | 30.00 | - | 600 | 6.7 |',
    );
  });

  it('show the PyTorch AP of the same epoch per seed', () => {
    const md = detectionEpochTable([run('mosaic-retinanet-ss')]);
    expect(md).toContain('| 1 | 0.3000 | 0.1500 | 0.00 | 0.00 | 30.00 | 0.00 / 0.00 | 600 | 6.7 |');
    expect(md).toContain('| 10 | 0.3000 | 0.1500 | 30.00 | 40.00 | 30.00 | 12.40 / 13.15 | 600 | 6.7 |');
  });
});
