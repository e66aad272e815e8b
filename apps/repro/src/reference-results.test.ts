import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PYTORCH_REFERENCE } from './reference-results';

interface EpochLine {
  seed: number;
  rule: string;
  epoch: number;
  test_top1_err: number;
}

/** Final-epoch test errors per rule, in seed order, from a reference run file of the repository. */
function finalErrors(file: string): Record<string, number[]> {
  const url = new URL(`../../../reference/${file}`, import.meta.url);
  const lines: EpochLine[] = readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  const last = new Map<string, EpochLine>();
  for (const l of lines) {
    const key = `${l.rule}/${l.seed}`;
    if ((last.get(key)?.epoch ?? 0) < l.epoch) last.set(key, l);
  }
  const byRule: Record<string, number[]> = {};
  for (const l of [...last.values()].sort((a, b) => a.seed - b.seed)) {
    byRule[l.rule] = [...(byRule[l.rule] ?? []), l.test_top1_err];
  }
  return byRule;
}

describe('PYTORCH_REFERENCE', () => {
  it.each([
    ['fashion-quick', 'fashion-quick-pytorch.jsonl'],
    ['fashion-mini', 'fashion-mini-pytorch.jsonl'],
  ])('holds the final errors of the %s runs in reference/', (preset, file) => {
    const errors = finalErrors(file);
    expect(Object.keys(errors).sort()).toEqual(['bp', 'fa', 'ss']);
    for (const [rule, runs] of Object.entries(errors)) {
      expect(PYTORCH_REFERENCE[`${preset}-${rule}`].runs).toEqual(runs);
    }
  });
});
