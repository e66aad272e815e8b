import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../presets';
import { readRun } from '../run-results';
import { alignmentFigureSpec, alignmentTable, meanAngles } from './alignment-figure';
import { renderFigure } from './render-figure';

const row = (globalStep: number, fb: number[], dx: number[]) => ({
  type: 'alignment',
  globalStep,
  layers: fb.map((f, i) => ({ layer: `l${i}`, kind: 'conv2d', feedbackAngle: f, dxAngle: dx[i] })),
});

/** A run directory as the trainer writes it: config.json and metrics.jsonl with alignment rows. */
function runDir(preset: string, rows: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'align-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(presetConfig(preset)));
  writeFileSync(join(dir, 'metrics.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return dir;
}

describe('alignment report', () => {
  it('reads alignment rows (a step logged twice across a resume counts once) and averages the rule layers', () => {
    const dir = runDir('fashion-mini-kp', [
      // The output layer (bp, first in backward order) is left out of the means.
      row(0, [0, 90, 88], [0, 91, 89]),
      row(100, [0, 70, 60], [0, 72, 62]),
      { type: 'resume', epoch: 0, batch: 90 },
      row(100, [0, 50, 40], [0, 52, 42]),
    ]);
    const run = readRun(dir);
    expect(run.alignment!.map((r) => r.globalStep)).toEqual([0, 100]);
    expect(meanAngles(run, run.alignment![1])).toEqual({ feedbackAngle: 45, dxAngle: 47 });
    expect(alignmentTable([run])).toContain('| fashion-mini-kp | 2 | 0 | 89.0 | 90.0 | 100 | 45.0 | 47.0 |');
  });

  it('draws both angles over training, one colour per rule', async () => {
    const kp = readRun(
      runDir('fashion-mini-kp', [row(0, [0, 90, 88], [0, 91, 89]), row(100, [0, 30, 20], [0, 32, 22])]),
    );
    const wm = readRun(
      runDir('fashion-mini-wm', [row(0, [0, 90, 88], [0, 91, 89]), row(100, [0, 10, 5], [0, 12, 8])]),
    );
    const spec = alignmentFigureSpec([kp, wm]);
    const values = (spec as { data: { values: { rule: string; metric: string }[] } }).data.values;
    expect(values).toHaveLength(2 * 2 * 2 * 2); // runs x rows x rule layers x measures
    expect(new Set(values.map((v) => v.metric))).toEqual(new Set(['angle(B, W)', 'angle(dx, backprop dx)']));
    const { svg } = await renderFigure(spec);
    expect(svg).toContain('angle(B, W)');
    expect(svg).toContain('wm');
  });
});
