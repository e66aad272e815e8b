import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderErrorFigure } from '../report/error-figure';
import { resultsTable } from '../report/results-table';
import { readRun } from '../run-results';

/** `repro report RUN...`: writes report.md, test-error.svg and test-error.png into `out`. */
export async function reportCommand(runDirs: string[], out: string): Promise<string[]> {
  if (runDirs.length === 0) throw new Error('report needs at least one run directory');
  const runs = runDirs.map(readRun);
  mkdirSync(out, { recursive: true });
  const { svg, png } = await renderErrorFigure(runs);
  const md = join(out, 'report.md');
  writeFileSync(
    md,
    `# BioProp results\n\nRuns: ${runDirs.map((d) => `\`${d}\``).join(', ')}\n\n${resultsTable(runs)}\n![test error per epoch](test-error.svg)\n`,
  );
  writeFileSync(join(out, 'test-error.svg'), svg);
  writeFileSync(join(out, 'test-error.png'), png);
  return [md, join(out, 'test-error.svg'), join(out, 'test-error.png')];
}
