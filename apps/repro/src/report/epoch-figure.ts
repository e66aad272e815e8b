import type { TopLevelSpec } from 'vega-lite';
import { RULE_ORDER } from './rule-order';

/** One point of a per-epoch figure. */
export interface EpochPoint {
  /** The panel (data set and network). */
  experiment: string;
  rule: string;
  epoch: number;
  /** Which of the two dashed or solid lines of a rule. */
  metric: string;
  value: number;
}

/**
 * The layout of the paper's Figure 1: a value per epoch, one colour per rule, a solid and a dashed line per rule
 * (the `metric`), one panel per experiment.
 */
export function epochFigureSpec(values: EpochPoint[], axes: { y: string; metric: string }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    facet: { column: { field: 'experiment', type: 'nominal', title: null } },
    spec: {
      width: 320,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: axes.y },
        color: { field: 'rule', type: 'nominal', title: 'rule', sort: RULE_ORDER },
        strokeDash: { field: 'metric', type: 'nominal', title: axes.metric },
        detail: { field: 'metric' },
      },
    },
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
}
