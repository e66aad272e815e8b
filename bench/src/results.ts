import type { Measurement } from './measurement';
import type { NetworkSpec } from './networks';

/** One cell of the table: a measurement, or why there is none (`error` when a measurement was tried and failed). */
export type Cell = { measurement: Measurement } | { missing: string; error?: string };

/** Everything measured for one network and rule: the columns of one table row. */
export interface ResultRow {
  spec: NetworkSpec;
  rule: string;
  biopropOneThread: Cell;
  pytorchOneThread: Cell;
  biopropAllCores: Cell;
  pytorchAllThreads: Cell;
  /** Present only when webgpu ran on a hardware adapter. */
  biopropWebGpu?: Cell;
}

/** The cell's images/s, or null. */
export function imagesPerSecond(cell: Cell | undefined): number | null {
  return cell && 'measurement' in cell ? cell.measurement.imagesPerSecond : null;
}

/** BioProp's speed as a multiple of PyTorch's, or null when either is missing. */
export function ratio(bioprop: Cell | undefined, pytorch: Cell | undefined): number | null {
  const a = imagesPerSecond(bioprop);
  const b = imagesPerSecond(pytorch);
  return a !== null && b !== null && b > 0 ? a / b : null;
}

/** The measured columns of a row, in table order. */
export const CELL_KEYS = [
  'biopropOneThread',
  'pytorchOneThread',
  'biopropAllCores',
  'pytorchAllThreads',
  'biopropWebGpu',
] as const;

/** A row's cells that exist, with their column names. */
export function cellsOf(row: ResultRow): { key: (typeof CELL_KEYS)[number]; cell: Cell }[] {
  return CELL_KEYS.flatMap((key) => (row[key] ? [{ key, cell: row[key] }] : []));
}
