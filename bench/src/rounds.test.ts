import { describe, expect, it } from 'vitest';
import type { Measurement } from './measurement';
import type { Cell } from './results';
import { measureInTurns } from './rounds';

function cell(imagesPerSecond: number): Cell {
  return { measurement: { imagesPerSecond, steps: 1 } as Measurement };
}

describe('measureInTurns', () => {
  it('takes every job once per round, in turn, and keeps each median', async () => {
    const calls: string[] = [];
    const speeds: Record<string, number[]> = { 'bp/one': [3, 1, 2], 'ss/one': [5, 6, 4] };
    const jobs = new Map(
      Object.keys(speeds).map((key) => [
        key,
        async () => {
          calls.push(key);
          return cell(speeds[key][calls.filter((c) => c === key).length - 1]);
        },
      ]),
    );
    const rounds: number[] = [];
    const cells = await measureInTurns(jobs, 3, (round) => rounds.push(round));
    expect(calls).toEqual(['bp/one', 'ss/one', 'bp/one', 'ss/one', 'bp/one', 'ss/one']);
    expect(rounds).toEqual([1, 2, 3]);
    expect(cells.get('bp/one')).toEqual({ measurement: { imagesPerSecond: 2, steps: 1 }, rounds: [3, 1, 2] });
    expect(cells.get('ss/one')).toEqual({ measurement: { imagesPerSecond: 5, steps: 1 }, rounds: [5, 6, 4] });
  });

  it('keeps a failed round visible', async () => {
    let n = 0;
    const failed: Cell = { missing: 'failed²', error: 'worker crashed' };
    const jobs = new Map([['bp/one', async () => (++n === 2 ? failed : cell(n))]]);
    expect((await measureInTurns(jobs, 3)).get('bp/one')).toBe(failed);
  });
});
