import { describe, expect, it } from 'vitest';
import { medianCell } from './measured-cell';
import type { Measurement } from './measurement';
import type { Cell } from './results';

function cell(imagesPerSecond: number, steps = 5): Cell {
  const m = { side: 'bioprop', imagesPerSecond, steps } as Measurement;
  return { measurement: m };
}

describe('medianCell', () => {
  it('keeps the median round (the lower middle one of an even count) and every round', () => {
    const three = medianCell([cell(3.1, 1), cell(2.2, 2), cell(2.9, 3)]);
    expect(three).toEqual({ measurement: expect.objectContaining({ steps: 3 }), rounds: [3.1, 2.2, 2.9] });
    const four = medianCell([cell(4), cell(1), cell(3, 7), cell(2, 9)]);
    expect('measurement' in four && four.measurement.steps).toBe(9);
  });

  it('one round is the cell itself; a failed or n/a round makes the cell', () => {
    const one = cell(2.5);
    expect(medianCell([one])).toBe(one);
    const failed: Cell = { missing: 'failed²', error: 'timed out' };
    expect(medianCell([cell(2.5), failed, cell(2.7)])).toBe(failed);
  });
});
