import type { Measurement } from './measurement';
import type { NetworkSpec } from './networks';

/**
 * One cell of the table: a measurement (the median of `rounds` when it was measured more than once), or why there
 * is none (`error` when a measurement was tried and failed).
 */
export type Cell = { measurement: Measurement; rounds?: number[] } | { missing: string; error?: string };

/** Everything measured for one network and rule: the columns of one table row. */
export interface ResultRow {
  spec: NetworkSpec;
  rule: string;
  biopropOneThread: Cell;
  pytorchOneThread: Cell;
  /** One process on every core: XNNPACK's threads (wasm's threaded build). */
  biopropThreads: Cell;
  /** Every core through data-parallel replicas, one wasm thread each. */
  biopropReplicas: Cell;
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

/** The faster of BioProp's two ways onto every core (threads or replicas), or the threads cell if neither ran. */
export function fasterAllCores(row: ResultRow): Cell {
  const threads = imagesPerSecond(row.biopropThreads);
  const replicas = imagesPerSecond(row.biopropReplicas);
  return replicas !== null && (threads === null || replicas > threads)
    ? row.biopropReplicas
    : row.biopropThreads;
}

/** The measured columns of a row, in table order. */
export const CELL_KEYS = [
  'biopropOneThread',
  'pytorchOneThread',
  'biopropThreads',
  'biopropReplicas',
  'pytorchAllThreads',
  'biopropWebGpu',
] as const;

/** A row's cells that exist, with their column names. */
export function cellsOf(row: ResultRow): { key: (typeof CELL_KEYS)[number]; cell: Cell }[] {
  return CELL_KEYS.flatMap((key) => (row[key] ? [{ key, cell: row[key] }] : []));
}
