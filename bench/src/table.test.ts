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

function row(
  rule: string,
  bioprop: number,
  pytorch1: number,
  pytorchAll: number,
  allCores: { threads?: number; replicas?: number } = {},
): ResultRow {
  return {
    spec: networkSpec('resnet18'),
    rule,
    biopropOneThread: measured(bioprop),
    pytorchOneThread: measured(pytorch1, 'pytorch'),
    biopropThreads: allCores.threads ? measured(allCores.threads) : { missing: 'failed²', error: 'crashed' },
    biopropReplicas: allCores.replicas ? measured(allCores.replicas) : { missing: 'n/a (--replicas 1)' },
    pytorchAllThreads: measured(pytorchAll, 'pytorch'),
  };
}

const ALL_CORES = { threads: 2, replicas: 2, pytorchThreads: 2 };

describe('the comparison table', () => {
  it('formats speeds to about three significant digits', () => {
    expect([0.4519, 2.816, 14.63, 827.4].map(formatRate)).toEqual(['0.452', '2.82', '14.6', '827']);
  });

  it('has the issue columns, the ratios and the empty all-cores cells', () => {
    const lines = markdownTable([row('bp', 2.82, 14.6, 25.0)], ALL_CORES);
    expect(lines[0]).toBe(
      '| network | rule | BioProp wasm 1 thread | PyTorch 1 thread | ratio | BioProp 2 threads¹ | BioProp 2 replicas¹ | PyTorch 2 threads | ratio (faster BioProp) |',
    );
    expect(lines[2]).toBe(
      '| ResNet-18 224x224, batch 8 | bp | 2.82 | 14.6 | 0.19x | failed² | n/a (--replicas 1) | 25.0 | - |',
    );
  });

  it('takes the whole-machine ratio from the faster of threads and replicas', () => {
    const threadsFaster = markdownTable(
      [row('bp', 2.0, 8.0, 12.0, { threads: 3.6, replicas: 3.0 })],
      ALL_CORES,
    );
    expect(threadsFaster[2]).toBe(
      '| ResNet-18 224x224, batch 8 | bp | 2.00 | 8.00 | 0.25x | 3.60 | 3.00 | 12.0 | 0.30x |',
    );
    const replicasFaster = markdownTable(
      [row('bp', 2.0, 8.0, 12.0, { threads: 2.4, replicas: 3.0 })],
      ALL_CORES,
    );
    expect(replicasFaster[2]).toContain('| 2.40 | 3.00 | 12.0 | 0.25x |');
    const onlyReplicas = summaryLine([row('bp', 2.0, 8.0, 12.0, { replicas: 4.8 })], false, 2);
    expect(onlyReplicas).toContain('whole machine bp 0.40x (target >= 0.3x: met)');
  });

  it('summarises a network against its targets', () => {
    // Neither all-cores cell measured: the line compares one BioProp thread with PyTorch's threads instead.
    const rows = [row('bp', 2.82, 14.6, 25.0), row('ss', 2.74, 13.9, 25.1), row('fa', 2.86, 14.5, 25.9)];
    const line = summaryLine(rows, false, 2);
    expect(line).toContain('per core bp 0.19x, ss 0.20x, fa 0.20x (target >= 0.3x: not met)');
    expect(line).toContain('whole machine n/a (BioProp 1 thread vs PyTorch 2 threads: bp 0.11x');
    expect(line).toContain('(target >= 0.3x: not measured)');
    expect(line).toContain('vs bp ss -2.8 %, fa +1.4 % (target within 5 %: met)');
    expect(summaryLine(rows, true, 2)).toContain('quick run: no verdict');
  });
});
