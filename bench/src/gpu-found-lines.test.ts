import { describe, expect, it } from 'vitest';
import type { GpuSetup } from './gpu-backends';
import { nvidiaDriverVersion } from './gpu-driver';
import { adapterLines, tensorflowGpuLine } from './gpu-found-lines';

const nvidia = {
  device: 'NVIDIA H200',
  description: 'NVIDIA: 580.159.03 580.159.3.0',
  vendor: 'nvidia',
  architecture: 'hopper',
  software: false,
  api: 'default' as const,
};

describe('what bench:gpu prints first', () => {
  it('names the adapter, its driver description and the tfjs backend', () => {
    const setup: GpuSetup = {
      ok: true,
      backend: 'webgpu',
      adapter: nvidia,
      tfjs: 'tfjs 4.22.0',
      detail: 'Dawn',
    };
    expect(adapterLines(setup)).toEqual([
      'WebGPU adapter: name NVIDIA H200, vendor nvidia, architecture hopper, description NVIDIA: 580.159.03 580.159.3.0; ' +
        "through Dawn's default API (Vulkan on Linux); hardware",
      'tfjs backend: tfjs 4.22.0, webgpu (Dawn)',
    ]);
  });

  it('says so when there is only a software adapter', () => {
    const software = { ...nvidia, device: 'llvmpipe', vendor: '', architecture: '', software: true };
    const setup: GpuSetup = {
      ok: false,
      backend: 'webgpu',
      adapter: { ...software, api: 'opengles' },
      tfjs: 'tfjs 4.22.0',
      reason: 'no hardware adapter: llvmpipe',
    };
    const lines = adapterLines(setup);
    expect(lines[0]).toMatch(/name llvmpipe, vendor -, architecture -.*OpenGL ES; SOFTWARE/);
    expect(lines[1]).toBe('WebGPU: not measured: no hardware adapter: llvmpipe');
  });

  it('shortens a missing tfjs-node-gpu to one line', () => {
    const reason =
      "backend 'tensorflow-gpu' is not available: @tensorflow/tfjs-node-gpu did not load (Cannot find package '@tensorflow/tfjs-node-gpu' imported from x); install it";
    const line = tensorflowGpuLine({ ok: false, backend: 'tensorflow-gpu', tfjs: 'tfjs 4.22.0', reason });
    expect(line).toMatch(/^tfjs-node-gpu: not installed, skipped/);
    expect(tensorflowGpuLine({ ok: false, backend: 'tensorflow-gpu', tfjs: '', reason: 'sees no GPU' })).toBe(
      'tfjs-node-gpu: skipped: sees no GPU',
    );
  });

  it("reads the NVIDIA driver's version from /proc, else from /sys", () => {
    const proc =
      'NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.03  Thu Oct 1 00:00:00 UTC 2026\nGCC version: gcc 12\n';
    expect(nvidiaDriverVersion((p) => (p.startsWith('/proc') ? proc : null))).toBe('580.159.03');
    expect(nvidiaDriverVersion((p) => (p.startsWith('/sys') ? '570.86.15\n' : null))).toBe('570.86.15');
    expect(nvidiaDriverVersion(() => null)).toBeNull();
  });
});
