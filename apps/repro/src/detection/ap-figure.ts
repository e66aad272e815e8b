import type { TopLevelSpec } from 'vega-lite';
import type { DetectionRun } from './detection-table';

/** AP (solid) and AP50 (dashed) per epoch, one colour per rule, one panel per data set and backbone. */
export function apFigureSpec(runs: DetectionRun[]): TopLevelSpec {
  const values = runs.flatMap((r) =>
    r.epochs.flatMap((e) =>
      (['AP (solid)', 'AP50 (dashed)'] as const).map((metric) => ({
        experiment: `${r.config.dataset}, RetinaNet ResNet-${r.config.depth} w${r.config.width}`,
        rule: r.config.rule,
        epoch: e.epoch,
        metric,
        value: metric === 'AP (solid)' ? e.AP : e.AP50,
      })),
    ),
  );
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
        y: { field: 'value', type: 'quantitative', title: 'COCO AP on validation (%)' },
        color: { field: 'rule', type: 'nominal', title: 'rule', sort: ['bp', 'ss', 'fa'] },
        strokeDash: { field: 'metric', type: 'nominal', title: 'metric' },
        detail: { field: 'metric' },
      },
    },
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
}
