import '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint } from '@bioprop/trainer';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './run-cli';

/** A small run of a learned-feedback preset on wasm: width 4, 640 training images, 10 steps of 64. */
const small = (rule: string) => [
  '--preset',
  `fashion-mini-${rule}`,
  '--backend',
  'wasm',
  '--width',
  '4',
  '--train-limit',
  '640',
  '--test-limit',
  '200',
  '--epochs',
  '1',
  '--batch-size',
  '64',
  '--progress',
  'lines',
  '--log-every',
  '2',
  '--alignment-every',
  '2',
];

function checkpointTensors(dir: string): Record<string, number[]> {
  const { tensors } = readCheckpoint(join(dir, 'last.ckpt'));
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t.dataSync())]));
}

describe('repro train with rules that learn their feedback', () => {
  const root = mkdtempSync(join(tmpdir(), 'repro-learned-'));

  for (const rule of ['kp', 'wm']) {
    it(`${rule}: Ctrl-C mid-epoch and --resume give the W and B of the uninterrupted run`, async () => {
      const straight = join(root, `${rule}-straight`);
      expect((await runCli(['train', ...small(rule), '--out', straight])).code).toBe(0);

      const dir = join(root, `${rule}-interrupted`);
      const { child, done } = startCli(['train', ...small(rule), '--out', dir]);
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (c: Buffer) => {
          if (String(c).includes('epoch 1/1 step 4/')) resolve();
        });
        child.once('exit', () => reject(new Error('training ended before step 4')));
      });
      child.kill('SIGINT');
      const stopped = await done;
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toMatch(/stopped at epoch 1, step \d+; checkpoint written/);
      const resumed = await runCli(['train', ...small(rule), '--out', dir, '--resume']);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain('resumed from');

      const expected = checkpointTensors(straight);
      const feedback = Object.keys(expected).filter((k) => k.endsWith('/feedback'));
      expect(feedback.length).toBeGreaterThan(10);
      if (rule === 'kp')
        expect(Object.keys(expected).some((k) => k.endsWith('/feedbackMomentum'))).toBe(true);
      expect(checkpointTensors(dir)).toEqual(expected);

      // The alignment rows are there for the report's figure.
      const report = join(root, `${rule}-report`);
      expect((await runCli(['report', straight, '--out', report])).code).toBe(0);
      const md = readFileSync(join(report, 'report.md'), 'utf8');
      expect(md).toContain(`| fashion-mini-${rule} |`);
      expect(readFileSync(join(report, 'alignment.svg'), 'utf8')).toContain('angle(B, W)');
    });
  }
});
