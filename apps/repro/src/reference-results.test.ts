import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MOSAIC_MD5, MOSAIC_REFERENCE, PYTORCH_REFERENCE } from './reference-results';

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

describe('MOSAIC_REFERENCE', () => {
  it('holds the final AP and AP50 and the AP per epoch of the mosaic-retinanet runs in reference/, and their data md5', () => {
    const url = new URL('../../../reference/mosaic-retinanet-pytorch.jsonl', import.meta.url);
    const lines = readFileSync(url, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    for (const rule of ['bp', 'ss', 'fa']) {
      const final = [0, 1].map((seed) => {
        const runs = lines.filter((l) => l.rule === rule && l.seed === seed);
        return runs.reduce((a, b) => (b.epoch > a.epoch ? b : a));
      });
      expect(final.map((l) => l.epoch)).toEqual([10, 10]);
      expect(MOSAIC_REFERENCE[`mosaic-retinanet-${rule}`].ap).toEqual(final.map((l) => l.AP));
      expect(MOSAIC_REFERENCE[`mosaic-retinanet-${rule}`].ap50).toEqual(final.map((l) => l.AP50));
      const perEpoch = [0, 1].map((seed) =>
        lines
          .filter((l) => l.rule === rule && l.seed === seed)
          .sort((a, b) => a.epoch - b.epoch)
          .map((l) => l.AP),
      );
      expect(MOSAIC_REFERENCE[`mosaic-retinanet-${rule}`].apPerEpoch).toEqual(perEpoch);
    }
    for (const l of lines) {
      expect([l.md5_instances_train, l.md5_instances_val]).toEqual([MOSAIC_MD5.train, MOSAIC_MD5.val]);
    }
  });
});
