import { describe, expect, it } from 'vitest';
import type { Measurement } from './measurement';
import { networkSpec } from './networks';
import type { ResultRow } from './results';
import { formatRate, markdownTable } from './table';
import { summaryLine } from './targets';

function measured(imagesPerSecond: number, side: Measurement['side'] = 'bioprop') {
  const m: Measurement = {
    side,
    backend: side === 'bioprop' ? 'wasm' : 'cpu',
    net: 'resnet18',
    rule: 'bp',
    batch: 8,
    size: 224,
    threads: 1,
    warmupSteps: 2,
    steps: 5,
    seconds: 40 / imagesPerSecond,
    imagesPerSecond,
    secondsPerStep: 8 / imagesPerSecond,
    lossFinite: true,
    peakRssMb: 900,
    version: 'test',
  };
  return { measurement: m };
}

function row(rule: string, bioprop: number, pytorch1: number, pytorchAll: number): ResultRow {
  return {
    spec: networkSpec('resnet18'),
    rule,
    biopropOneThread: measured(bioprop),
    pytorchOneThread: measured(pytorch1, 'pytorch'),
    biopropAllCores: { missing: 'n/a (one thread)¹' },
    pytorchAllThreads: measured(pytorchAll, 'pytorch'),
  };
}

describe('the comparison table', () => {
  it('formats speeds to about three significant digits', () => {
    expect([0.4519, 2.816, 14.63, 827.4].map(formatRate)).toEqual(['0.452', '2.82', '14.6', '827']);
  });

  it('has the issue columns, the ratios and the n/a all-cores cell', () => {
    const lines = markdownTable([row('bp', 2.82, 14.6, 25.0)], 2);
    expect(lines[0]).toBe(
      '| network | rule | BioProp wasm 1 thread | PyTorch 1 thread | ratio | BioProp all cores (2) | PyTorch 2 threads | ratio |',
    );
    expect(lines[2]).toBe(
      '| ResNet-18 224x224, batch 8 | bp | 2.82 | 14.6 | 0.19x | n/a (one thread)¹ | 25.0 | - |',
    );
  });

  it('summarises a network against its targets', () => {
    const rows = [row('bp', 2.82, 14.6, 25.0), row('ss', 2.74, 13.9, 25.1), row('fa', 2.86, 14.5, 25.9)];
    const line = summaryLine(rows, false, 2);
    expect(line).toContain('per core bp 0.19x, ss 0.20x, fa 0.20x (target >= 0.3x: not met)');
    expect(line).toContain('whole machine n/a (BioProp 1 thread vs PyTorch 2 threads: bp 0.11x');
    expect(line).toContain('(target >= 0.3x: not measured)');
    expect(line).toContain('vs bp ss -2.8 %, fa +1.4 % (target within 5 %: met)');
    expect(summaryLine(rows, true, 2)).toContain('quick run: no verdict');
  });
});
