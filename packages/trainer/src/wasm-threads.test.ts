import '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { convolutionCase } from './testing/convolution-case';
import { relativeError } from './testing/relative-error';

interface ChildReport {
  selection: { backend: string; reason: string; threads: number };
  backend: string;
  results: ReturnType<typeof convolutionCase>;
}

/** Runs testing/threaded-wasm-run.ts on `threads` in a process of its own; rejects if it does not exit by itself. */
function runChild(threads: number): Promise<ChildReport> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'testing', 'threaded-wasm-run.ts'), String(threads)],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: import.meta.dirname },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  child.stderr.on('data', (c: Buffer) => (err += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${threads}-thread run did not exit within 60 s; stdout: ${out}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`the ${threads}-thread run exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport);
    });
  });
}

describe('threaded wasm', () => {
  it('runs XNNPACK on two threads, computes what one thread computes, and lets the process exit', async () => {
    await tf.setBackend('cpu');
    const expected = convolutionCase();
    const got = await runChild(2);
    // tfjs caps the pool at the cores; CI machines have two.
    const threads = Math.min(2, availableParallelism());
    expect(got.backend).toBe('wasm');
    expect(got.selection.threads).toBe(threads);
    expect(got.selection.reason).toContain(`XNNPACK on ${threads} thread`);
    for (const key of ['y', 'dx', 'product'] as const) {
      expect(relativeError(got.results[key], expected[key])).toBeLessThan(1e-6);
    }
    // XNNPACK splits the outputs, never a sum, across threads: the single-threaded build's numbers exactly.
    const single = await runChild(1);
    expect(single.selection.reason).toContain('XNNPACK on 1 thread');
    expect(got.results).toEqual(single.results);
  });

  it('a bad thread count is an error that names the range', async () => {
    for (const bad of [0, 9, 1.5]) {
      await expect(selectBackend('wasm', { wasmThreads: bad })).rejects.toThrow(
        `wasm threads must be an integer from 1 to 8, got ${bad}`,
      );
    }
  });
});
