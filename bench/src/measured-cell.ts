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
