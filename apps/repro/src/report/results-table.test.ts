import { describe, expect, it } from 'vitest';
import { presetConfig } from '../presets';
import type { RunResults } from '../run-results';
import { resultsTable } from './results-table';

const epoch = (n: number, top1Err: number, top5Err: number) => ({
  epoch: n,
  lr: 0.1,
  trainLoss: 0.5,
  testLoss: 0.4,
  top1Err,
  top5Err,
  seconds: 600,
  imagesPerSec: 100,
  numTensors: 164,
  rssMB: 640,
});

describe('results table', () => {
  it('rows per experiment, columns per rule, and the comparison with PyTorch', () => {
    const runs: RunResults[] = [
      {
        dir: 'a',
        config: presetConfig('fashion-quick-bp'),
        epochs: [epoch(1, 16, 0.3), epoch(2, 12, 0.2), epoch(3, 10.5, 0.2)],
      },
      {
        dir: 'b',
        config: presetConfig('fashion-quick-fa'),
        epochs: [epoch(1, 30, 1), epoch(2, 27, 1), epoch(3, 26.5, 0.9)],
      },
      { dir: 'c', config: presetConfig('fashion-quick-ss'), epochs: [epoch(1, 17, 0.3)] },
    ];
    const md = resultsTable(runs);
    expect(md).toContain('| experiment | bp | ss | fa |');
    expect(md).toContain(
      '| Fashion-MNIST, ResNet-18 (width 8) | 10.50 / 0.20 | 17.00 / 0.30 (epoch 1/3) | 26.50 / 0.90 |',
    );
    // bp: PyTorch mean (10.45 + 11.15 + 10.73) / 3 = 10.777; 10.50 is 0.28 below, within 1.0.
    expect(md).toContain('| fashion-quick-bp | 10.50 | 10.45 / 11.15 / 10.73 | 10.78 | -0.28 | 1.0 | yes |');
    // fa: mean 23.91; 26.50 is 2.59 above, outside 2.0.
    expect(md).toContain('| fashion-quick-fa | 26.50 | 24.87 / 23.23 / 23.63 | 23.91 | +2.59 | 2.0 | NO |');
    expect(md).toContain(
      '| fashion-quick-ss | 17.00 | 13.09 / 12.72 / 13.26 | 13.02 | +3.98 | 1.0 | unfinished (1/3) |',
    );
  });
});
