import '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from './checkpoint';

describe('checkpoint files', () => {
  it('round trip of tensors and metadata', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'last.ckpt');
    const a = tf.tensor([1.5, -2, 3e-8], [3]);
    const b = tf.tensor([
      [1, 2],
      [3, 4],
    ]);
    await writeCheckpoint(path, { meta: { epoch: 3, note: 'x' }, tensors: { a, b } });
    const back = readCheckpoint<{ epoch: number; note: string }>(path);
    expect(back.meta).toEqual({ epoch: 3, note: 'x' });
    expect(Array.from(back.tensors.a.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(back.tensors.b.shape).toEqual([2, 2]);
    expect(readdirSync(dir)).toEqual(['last.ckpt']);
  });

  it('a damaged file is an error naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'last.ckpt');
    await writeCheckpoint(path, { meta: {}, tensors: { a: tf.zeros([1000]) } });
    truncateSync(path, 200);
    expect(() => readCheckpoint(path)).toThrow(
      new RegExp(`checkpoint ${path} is unreadable: truncated data for tensor 'a'`),
    );
    writeFileSync(path, 'hello');
    expect(() => readCheckpoint(path)).toThrow(/bad magic/);
  });

  it('survives a kill during its write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'last.ckpt');
    await writeCheckpoint(path, { meta: { generation: 0 }, tensors: { w: tf.fill([1000], 7) } });
    const before = readFileSync(path);
    // A child rewrites a 64 MB checkpoint in a loop; it is killed mid-write.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'testing', 'checkpoint-writer.ts'), path],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: import.meta.dirname,
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`checkpoint writer exited early with code ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const after = readCheckpoint<{ generation: number }>(path);
    // Either the old file or a complete newer one, never a torn one.
    if (after.meta.generation === 0) expect(readFileSync(path).equals(before)).toBe(true);
    else expect(after.tensors.w.size).toBe(16 * 1024 * 1024);
  });
});
