import { describe, expect, it } from 'vitest';
import { networkSpec } from './networks';
import { failureLines, resultLines } from './report';
import type { ResultRow } from './results';

const failed: ResultRow = {
  spec: networkSpec('fashion-mini', true),
  rule: 'ss',
  biopropOneThread: { missing: 'failed²', error: 'exit code 1: out of memory' },
  pytorchOneThread: { missing: 'no PyTorch' },
  biopropThreads: { missing: 'n/a (one thread)¹' },
  biopropReplicas: { missing: 'n/a (--replicas 1)' },
  pytorchAllThreads: { missing: 'no PyTorch' },
};

describe('the results section', () => {
  it('lists failed measurements under the table and says why webgpu was skipped', () => {
    expect(failureLines([failed])).toEqual([
      'fashion-mini 28x28, batch 16, ss, biopropOneThread: exit code 1: out of memory',
    ]);
    const lines = resultLines([failed], {
      quick: true,
      nets: ['fashion-mini'],
      allCores: { threads: 2, replicas: 1, pytorchThreads: 2 },
      footnotes: ['¹ one thread'],
      webGpuSkipped: 'not installed: webgpu',
    });
    expect(lines).toContain(
      '| fashion-mini 28x28, batch 16 | ss | failed² | no PyTorch | - | n/a (one thread)¹ | n/a (--replicas 1) | no PyTorch | - |',
    );
    expect(lines).toContain(
      '  - fashion-mini 28x28, batch 16, ss, biopropOneThread: exit code 1: out of memory',
    );
    expect(lines).toContain('WebGPU skipped: not installed: webgpu.');
    expect(lines.at(-1)).toBe(
      '- fashion-mini 28x28, batch 16: per core n/a (target >= 0.3x: quick run: no verdict); whole machine n/a',
    );
  });
});
