import type { Measurement } from './measurement';
import type { Cell } from './results';
import { formatCell } from './table';

/**
 * Runs one measurement and makes it a table cell, with a progress line on stderr. A failure becomes a cell that
 * reads `failed` with the table's footnote mark for failures (`failedMark`), keeping the error for the footnote.
 */
export async function measuredCell(
  label: string,
  run: () => Promise<Measurement | { error: string }>,
  failedMark: string,
): Promise<Cell> {
  const t0 = performance.now();
  const got = await run();
  const s = ((performance.now() - t0) / 1000).toFixed(0);
  if ('error' in got) {
    console.error(`  ${label}: FAILED after ${s} s: ${got.error}`);
    return { missing: `failed${failedMark}`, error: got.error };
  }
  console.error(
    `  ${label}: ${formatCell({ measurement: got })} images/s (${got.steps} timed step${got.steps === 1 ? '' : 's'}, ${s} s in all)`,
  );
  return { measurement: got };
}

/**
 * One cell from the same measurement taken in several rounds: the median by images/s (the lower of the middle
 * two for an even count, so that the cell is a measurement that was taken), with every round's images/s. A round
 * without a measurement (failed, or n/a) makes the cell that round's, so that a failure is never hidden.
 */
export function medianCell(rounds: Cell[]): Cell {
  const empty = rounds.find((c) => !('measurement' in c));
  if (empty || rounds.length === 1) return empty ?? rounds[0];
  const measured = rounds as { measurement: Measurement }[];
  const sorted = [...measured].sort((a, b) => a.measurement.imagesPerSecond - b.measurement.imagesPerSecond);
  return {
    measurement: sorted[Math.floor((sorted.length - 1) / 2)].measurement,
    rounds: measured.map((c) => c.measurement.imagesPerSecond),
  };
}
