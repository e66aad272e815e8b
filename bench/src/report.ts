import type { NetworkName } from './networks';
import { cellsOf, type ResultRow } from './results';
import { type AllCores, markdownTable, NON_FINITE_MARK, webGpuTable } from './table';
import { summaryLine } from './targets';

/** What the results section needs beyond the rows. */
export interface ReportContext {
  quick: boolean;
  /** Networks in table order. */
  nets: NetworkName[];
  /** BioProp's threads and replicas on every core, and PyTorch's threads (the machine's logical CPUs). */
  allCores: AllCores;
  /** Footnotes that explain cells every row shares (the BioProp all-cores columns). */
  footnotes: string[];
  /** Why webgpu was not measured, or null when it was. */
  webGpuSkipped: string | null;
}

/** Failed measurements as `network, rule, column: error` lines. */
export function failureLines(rows: ResultRow[]): string[] {
  return rows.flatMap((r) =>
    cellsOf(r).flatMap(({ key, cell }) =>
      'error' in cell && cell.error ? [`${r.spec.title}, ${r.rule}, ${key}: ${cell.error}`] : [],
    ),
  );
}

/** The results section: the table and its notes, the webgpu table if it ran, then one target line per network. */
export function resultLines(rows: ResultRow[], ctx: ReportContext): string[] {
  const out = [
    'Training images/s (forward, loss, backward, SGD step), higher is better; ratio = BioProp / PyTorch.',
    '',
    ...markdownTable(rows, ctx.allCores),
    '',
    ...ctx.footnotes,
  ];
  const failures = failureLines(rows);
  if (failures.length) out.push('² failed measurements:', ...failures.map((f) => `  - ${f}`));
  const nonFinite = rows.some((r) =>
    cellsOf(r).some(({ cell }) => 'measurement' in cell && !cell.measurement.lossFinite),
  );
  if (nonFinite)
    out.push(`${NON_FINITE_MARK} a timed step's loss was NaN or infinite (the speed still counts).`);
  if (ctx.webGpuSkipped) out.push(`WebGPU skipped: ${ctx.webGpuSkipped}.`);
  const gpu = webGpuTable(rows, ctx.allCores.pytorchThreads);
  if (gpu.length) out.push('', ...gpu);

  out.push('', ctx.quick ? 'Targets (quick run: ratios shown, no verdicts):' : 'Targets:');
  for (const name of ctx.nets) {
    const own = rows.filter((r) => r.spec.name === name);
    if (own.length) out.push(summaryLine(own, ctx.quick, ctx.allCores.pytorchThreads));
  }
  return out;
}
