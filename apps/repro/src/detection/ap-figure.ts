import type { TopLevelSpec } from 'vega-lite';
import { epochFigureSpec } from '../report/epoch-figure';
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
  return epochFigureSpec(values, { y: 'COCO AP on validation (%)', metric: 'metric' });
}
