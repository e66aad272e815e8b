import { describe, expect, it } from 'vitest';
import { parseGpuOptions } from './gpu-options';

describe('parseGpuOptions', () => {
  it("defaults to the issue's setting: ResNet-18 224x224, batch 256, every rule, hardware adapters only", () => {
    const o = parseGpuOptions([]);
    expect(o).toMatchObject({ quick: false, allowSoftware: false, batch: 256, size: 224, width: 64 });
    expect(o.rules).toEqual(['bp', 'ss', 'fa']);
    expect(o.timing.minSteps).toBeGreaterThan(1);
  });

  it('--quick shrinks the net, input and batch to one timed step, and takes a software adapter', () => {
    const o = parseGpuOptions(['--quick', '--rules', 'fa,bp']);
    expect(o).toMatchObject({ quick: true, allowSoftware: true, batch: 2, size: 32, width: 8 });
    expect(o.rules).toEqual(['bp', 'fa']);
    expect(o.timing).toMatchObject({ warmupSteps: 1, minSteps: 1, maxSteps: 1, minSeconds: 0 });
  });

  it('--batch and --size override the setting; bad values and unknown options are errors', () => {
    expect(parseGpuOptions(['--batch', '64', '--size', '128'])).toMatchObject({ batch: 64, size: 128 });
    expect(() => parseGpuOptions(['--batch', '0'])).toThrow(/--batch: a whole number >= 1/);
    expect(() => parseGpuOptions(['--size', '1.5'])).toThrow(/--size/);
    expect(() => parseGpuOptions(['--rules', 'bp,xx'])).toThrow(/xx.*bp, ss, fa/);
    expect(() => parseGpuOptions(['--nets', 'resnet18'])).toThrow();
  });

  it('--python replaces the list of Pythons looked at', () => {
    expect(parseGpuOptions(['--python', '/opt/venv/bin/python']).pythons).toEqual(['/opt/venv/bin/python']);
    expect(parseGpuOptions([]).pythons.length).toBeGreaterThan(1);
  });
});
