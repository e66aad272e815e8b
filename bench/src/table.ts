import { type Cell, type ResultRow, ratio } from './results';

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

/** Column headers; the all-cores columns name the machine's thread count. */
export function tableHeader(allThreads: number): string[] {
  return [
    'network',
    'rule',
    'BioProp wasm 1 thread',
    'PyTorch 1 thread',
    'ratio',
    `BioProp all cores (${allThreads})`,
    `PyTorch ${allThreads} threads`,
    'ratio',
  ];
}

/** The main table, images/s: per core (1 thread each) and whole machine, BioProp / PyTorch ratios. */
export function markdownTable(rows: ResultRow[], allThreads: number): string[] {
  const header = tableHeader(allThreads);
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
      formatCell(r.biopropAllCores),
      formatCell(r.pytorchAllThreads),
      formatRatio(ratio(r.biopropAllCores, r.pytorchAllThreads)),
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
