import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

// A tiny fashion-quick run on wasm: width 2, 128 training images, batches of 32 (shares of 16 on 2 replicas).
const tiny = [
  '--preset',
  'fashion-quick-bp',
  '--backend',
  'wasm',
  '--width',
  '2',
  '--train-limit',
  '128',
  '--test-limit',
  '32',
  '--batch-size',
  '32',
  '--epochs',
  '2',
  '--progress',
  'lines',
];

const config = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));

describe('repro train --replicas', () => {
  const root = mkdtempSync(join(tmpdir(), 'repro-replicas-'));

  it('trains on 2 replicas, records the count, and resumes on 1', async () => {
    const dir = join(root, 'run');
    const first = await runCli(['train', ...tiny, '--replicas', '2', '--epoch-limit', '1', '--out', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('replicas: 2 (data-parallel over worker threads');
    expect(config(dir).replicas).toBe(2);
    // Checkpoints do not depend on the count: the run continues on one process.
    const resumed = await runCli(['train', ...tiny, '--replicas', '1', '--resume', '--out', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('replicas: 2');
    expect(resumed.stderr).toContain('completed');
  });

  it('refuses a replica or thread count out of range', async () => {
    for (const bad of ['0', '1.5', 'all']) {
      const r = await runCli(['train', ...tiny, '--replicas', bad, '--out', join(root, `bad-${bad}`)]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        `--replicas must be an integer >= 1 (replicas of the model, one per core), got '${bad}'`,
      );
    }
    for (const bad of ['0', '9']) {
      const r = await runCli([
        'train',
        ...tiny,
        '--wasm-threads',
        bad,
        '--out',
        join(root, `bad-threads-${bad}`),
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        `--wasm-threads must be an integer from 1 to 8 (XNNPACK threads on wasm), got '${bad}'`,
      );
    }
  });
});
