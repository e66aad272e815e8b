import { describe, expect, it } from 'vitest';
import { type GpuRow, gpuFailureLines, gpuTable } from './gpu-table';
import type { Measurement } from './measurement';

function measured(imagesPerSecond: number, side: Measurement['side'], backend: string) {
  const m: Measurement = {
    side,
    backend,
    net: 'resnet18',
    rule: 'bp',
    batch: 256,
    size: 224,
    threads: 1,
    warmupSteps: 2,
    steps: 5,
    seconds: 1280 / imagesPerSecond,
    imagesPerSecond,
    secondsPerStep: 256 / imagesPerSecond,
    lossFinite: true,
    peakRssMb: 900,
    version: 'test',
  };
  return { measurement: m };
}

describe('the bench:gpu table', () => {
  it('has a row per rule with the ratios to PyTorch CUDA, and says why a cell is empty', () => {
    const rows: GpuRow[] = [
      {
        rule: 'bp',
        webgpu: measured(412.4, 'bioprop', 'webgpu'),
        tensorflowGpu: { missing: 'not installed' },
        pytorchCuda: measured(2890, 'pytorch', 'cuda'),
      },
      {
        rule: 'fa',
        webgpu: { missing: 'failed¹', error: 'exit code 1: out of memory' },
        tensorflowGpu: { missing: 'not installed' },
        pytorchCuda: { missing: 'not available' },
      },
    ];
    expect(gpuTable(rows)).toEqual([
      '| rule | BioProp webgpu | BioProp tfjs-node-gpu | PyTorch CUDA | webgpu / PyTorch | tfjs-node-gpu / PyTorch |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      '| bp | 412 | not installed | 2890 | 0.14x | - |',
      '| fa | failed¹ | not installed | not available | - | - |',
    ]);
    expect(gpuFailureLines(rows)).toEqual(['fa, webgpu: exit code 1: out of memory']);
  });
});
