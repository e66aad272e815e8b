import type { TopLevelSpec } from 'vega-lite';
import type { RunResults } from '../run-results';
import { epochFigureSpec } from './epoch-figure';

/**
 * The vega-lite spec of the paper's Figure 1 layout: test error per epoch, one colour per rule, top-1 solid and
 * top-5 dashed, one panel per experiment.
 */
export function errorFigureSpec(runs: RunResults[]): TopLevelSpec {
  const values = runs.flatMap((r) =>
    r.epochs.flatMap((e) =>
      (['top-1 (solid)', 'top-5 (dashed)'] as const).map((metric) => ({
        experiment: `${r.config.dataset}, ${r.config.arch}${r.config.width ? ` w${r.config.width}` : ''}`,
        rule: r.config.rule,
        epoch: e.epoch,
        metric,
        value: metric === 'top-1 (solid)' ? e.top1Err : e.top5Err,
      })),
    ),
  );
  return epochFigureSpec(values, { y: 'test error (%)', metric: 'error' });
}
