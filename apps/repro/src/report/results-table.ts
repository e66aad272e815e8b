import { PYTORCH_REFERENCE, referenceMean } from '../reference-results';
import type { RunResults } from '../run-results';
import { RULE_ORDER } from './rule-order';

function experiment(run: RunResults): string {
  const c = run.config;
  const arch =
    c.arch === 'alexnet'
      ? 'AlexNet-BN'
      : `ResNet-${c.arch.slice(6)}${c.width && c.width !== 64 ? ` (width ${c.width})` : ''}`;
  return `${c.dataset === 'imagenet' ? 'ImageNet' : 'Fashion-MNIST'}, ${arch}`;
}

/**
 * The paper's Table 1 layout: one row per dataset and architecture, one column per rule, final top-1 / top-5
 * error. Runs with a PyTorch reference get a second table comparing the two.
 */
export function resultsTable(runs: RunResults[]): string {
  const rules = [...new Set(runs.map((r) => r.config.rule))].sort(
    (a, b) => RULE_ORDER.indexOf(a) - RULE_ORDER.indexOf(b),
  );
  const rows = [...new Set(runs.map(experiment))];
  const cell = (row: string, rule: string) => {
    const run = runs.find((r) => experiment(r) === row && r.config.rule === rule);
    const last = run?.epochs[run.epochs.length - 1];
    if (!run || !last) return '-';
    const partial =
      run.epochs.length < run.config.epochs ? ` (epoch ${run.epochs.length}/${run.config.epochs})` : '';
    return `${last.top1Err.toFixed(2)} / ${last.top5Err.toFixed(2)}${partial}`;
  };
  const lines = [
    '## Final test error, top-1 / top-5 (%)',
    '',
    `| experiment | ${rules.join(' | ')} |`,
    `|---|${rules.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row} | ${rules.map((rule) => cell(row, rule)).join(' | ')} |`),
  ];
  const compared = runs.filter((r) => PYTORCH_REFERENCE[r.config.preset] && r.epochs.length > 0);
  if (compared.length) {
    lines.push('', '## Against PyTorch (final top-1 error, %)', '');
    lines.push('| preset | BioProp | PyTorch runs | PyTorch mean | difference | tolerance | within |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const r of compared) {
      const ref = PYTORCH_REFERENCE[r.config.preset];
      const mean = referenceMean(r.config.preset)!;
      const last = r.epochs[r.epochs.length - 1];
      const done = r.epochs.length >= r.config.epochs;
      const diff = last.top1Err - mean;
      const verdict = !done
        ? `unfinished (${r.epochs.length}/${r.config.epochs})`
        : Math.abs(diff) <= ref.tolerance
          ? 'yes'
          : 'NO';
      lines.push(
        `| ${r.config.preset} | ${last.top1Err.toFixed(2)} | ${ref.runs.join(' / ')} | ${mean.toFixed(2)} | ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} | ${ref.tolerance.toFixed(1)} | ${verdict} |`,
      );
    }
  }
  const time = runs
    .filter((r) => r.epochs.length)
    .map((r) => {
      const secs = r.epochs.reduce((a, e) => a + e.seconds, 0);
      const ips = r.epochs.reduce((a, e) => a + e.imagesPerSec, 0) / r.epochs.length;
      return `| ${r.config.preset} | ${r.epochs.length} | ${(secs / 60).toFixed(1)} | ${ips.toFixed(1)} | ${r.epochs[r.epochs.length - 1].rssMB} |`;
    });
  if (time.length) {
    lines.push(
      '',
      '## Training time',
      '',
      '| preset | epochs | minutes | images/s | RSS MB |',
      '|---|---|---|---|---|',
      ...time,
    );
  }
  return `${lines.join('\n')}\n`;
}
