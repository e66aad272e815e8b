import { type Cell, fasterAllCores, type ResultRow, ratio } from './results';

/** Marks a speed whose run had a NaN or infinite loss (explained under the table). */
export const NON_FINITE_MARK = '†';

/** images/s with about three significant digits (0.452, 2.81, 14.6, 827). */
export function formatRate(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

/** A ratio as `0.19x`, or `-`. */
export function formatRatio(r: number | null): string {
  return r === null ? '-' : `${r.toFixed(2)}x`;
}

/** A cell's text: its speed (marked if the loss was not finite), or why it is empty. */
export function formatCell(cell: Cell | undefined): string {
  if (!cell) return '-';
  if ('missing' in cell) return cell.missing;
  const m = cell.measurement;
  return `${formatRate(m.imagesPerSecond)}${m.lossFinite ? '' : NON_FINITE_MARK}`;
}

/** How many threads and replicas BioProp's two all-cores columns ran, and PyTorch's all-threads column. */
export interface AllCores {
  threads: number;
  replicas: number;
  /** PyTorch's: the machine's logical CPUs. */
  pytorchThreads: number;
}

/** Column headers; the all-cores columns name their thread and replica counts. */
export function tableHeader(all: AllCores): string[] {
  return [
    'network',
    'rule',
    'BioProp wasm 1 thread',
    'PyTorch 1 thread',
    'ratio',
    `BioProp ${all.threads} threads¹`,
    `BioProp ${all.replicas} replicas¹`,
    `PyTorch ${all.pytorchThreads} threads`,
    'ratio (faster BioProp)',
  ];
}

/** The main table, images/s: per core (1 thread each) and whole machine, BioProp / PyTorch ratios. */
export function markdownTable(rows: ResultRow[], all: AllCores): string[] {
  const header = tableHeader(all);
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- | --- | ${header
      .slice(2)
      .map(() => '---:')
      .join(' | ')} |`,
  ];
  for (const r of rows) {
    const cells = [
      r.spec.title,
      r.rule,
      formatCell(r.biopropOneThread),
      formatCell(r.pytorchOneThread),
      formatRatio(ratio(r.biopropOneThread, r.pytorchOneThread)),
      formatCell(r.biopropThreads),
      formatCell(r.biopropReplicas),
      formatCell(r.pytorchAllThreads),
      formatRatio(ratio(fasterAllCores(r), r.pytorchAllThreads)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** BioProp on webgpu against PyTorch on every thread, for the rows where webgpu ran. */
export function webGpuTable(rows: ResultRow[], allThreads: number): string[] {
  const ran = rows.filter((r) => r.biopropWebGpu);
  if (!ran.length) return [];
  const lines = [
    `| network | rule | BioProp webgpu | PyTorch ${allThreads} threads | ratio |`,
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const r of ran) {
    const cells = [
      r.spec.title,
      r.rule,
      formatCell(r.biopropWebGpu),
      formatCell(r.pytorchAllThreads),
      formatRatio(ratio(r.biopropWebGpu, r.pytorchAllThreads)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}
