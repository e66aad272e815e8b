import { type Cell, ratio } from './results';
import { formatCell, formatRatio } from './table';

/** Everything bench:gpu measured for one rule: the columns of one table row. */
export interface GpuRow {
  rule: string;
  webgpu: Cell;
  tensorflowGpu: Cell;
  pytorchCuda: Cell;
}

const COLUMNS = ['webgpu', 'tensorflowGpu', 'pytorchCuda'] as const;

/** The table of images/s per rule, with BioProp / PyTorch CUDA for each BioProp backend. */
export function gpuTable(rows: GpuRow[]): string[] {
  const lines = [
    '| rule | BioProp webgpu | BioProp tfjs-node-gpu | PyTorch CUDA | webgpu / PyTorch | tfjs-node-gpu / PyTorch |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const cells = [
      r.rule,
      formatCell(r.webgpu),
      formatCell(r.tensorflowGpu),
      formatCell(r.pytorchCuda),
      formatRatio(ratio(r.webgpu, r.pytorchCuda)),
      formatRatio(ratio(r.tensorflowGpu, r.pytorchCuda)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** Failed measurements as `rule, column: error` lines. */
export function gpuFailureLines(rows: GpuRow[]): string[] {
  return rows.flatMap((r) =>
    COLUMNS.flatMap((key) => {
      const cell = r[key];
      return 'error' in cell && cell.error ? [`${r.rule}, ${key}: ${cell.error}`] : [];
    }),
  );
}
