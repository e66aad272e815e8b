import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

// The one end-to-end run of a harness under vitest: `bench:gpu --quick` takes about a minute on Mesa's software
// adapter of a 2-core machine, which is what keeps the GPU path of the bench from rotting where CI has no GPU.
describe('npm run bench:gpu -- --quick', () => {
  it('runs end to end on any WebGPU adapter and prints what it found, then the table', (ctx) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/gpu.ts', '--quick'], {
      cwd: BENCH_DIR,
      encoding: 'utf8',
      timeout: 280_000,
    });
    const out = run.stdout ?? '';
    const noWebGpu = out.match(/WebGPU: not measured: (.*)/)?.[1];
    if (noWebGpu) {
      // Without Mesa's EGL, or without Dawn: a reason to skip, except where CI promises WebGPU.
      if (process.env.BIOPROP_REQUIRE_WEBGPU === '1') throw new Error(`WebGPU did not start: ${noWebGpu}`);
      ctx.skip(`no WebGPU adapter: ${noWebGpu}`);
    }
    expect(run.status, `${out}\n${run.stderr}`).toBe(0);
    expect(out).toMatch(/^- Node v\d+/m);
    expect(out).toMatch(/^- WebGPU adapter: name .+, vendor .+, architecture .+, description /m);
    expect(out).toMatch(/^- tfjs backend: tfjs \d/m);
    expect(out).toMatch(/^- tfjs-node-gpu: /m);
    expect(out).toMatch(/^- PyTorch CUDA: /m);
    for (const rule of ['bp', 'ss', 'fa'])
      expect(out).toMatch(new RegExp(`^\\| ${rule} \\| \\d+(\\.\\d+)? \\|`, 'm'));
  }, 300_000);
});
