import type { TopLevelSpec } from 'vega-lite';
import type { AlignmentRow, LayerAlignmentRecord, RunResults } from '../run-results';
import { RULE_ORDER } from './rule-order';

/**
 * The layers of an alignment row that learn with the run's rule. Rows list layers in backward order, so the
 * model's output layer comes first; it learns with `lastRule` (bp by default, angle 0), and would only dilute
 * the rule's figures, so it is left out when the two rules differ.
 */
export function ruleLayers(run: RunResults, row: AlignmentRow): LayerAlignmentRecord[] {
  return run.config.lastRule !== run.config.rule ? row.layers.slice(1) : row.layers;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Mean angles over a row's rule layers. */
export function meanAngles(run: RunResults, row: AlignmentRow): { feedbackAngle: number; dxAngle: number } {
  const layers = ruleLayers(run, row);
  return {
    feedbackAngle: mean(layers.map((l) => l.feedbackAngle)),
    dxAngle: mean(layers.map((l) => l.dxAngle)),
  };
}

const METRICS = [
  ['feedbackAngle', 'angle(B, W)'],
  ['dxAngle', 'angle(dx, backprop dx)'],
] as const;

/**
 * The vega-lite spec of the alignment figure: for each run with alignment rows, the angle between B and W and
 * between the rule's dx and backprop's dx over training, one panel per measure, one colour per rule; a thin line
 * per layer and a thick line for the mean over the rule's layers.
 */
export function alignmentFigureSpec(runs: RunResults[]): TopLevelSpec {
  const values = runs.flatMap((r) =>
    (r.alignment ?? []).flatMap((row) =>
      ruleLayers(r, row).flatMap((l) =>
        METRICS.map(([key, metric]) => ({
          run: r.config.preset,
          rule: r.config.rule,
          step: row.globalStep,
          layer: l.layer,
          metric,
          angle: l[key],
        })),
      ),
    ),
  );
  const x = { field: 'step', type: 'quantitative', title: 'training step' } as const;
  const color = { field: 'rule', type: 'nominal', title: 'rule', sort: RULE_ORDER } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: METRICS.map(([, m]) => m) } },
    spec: {
      width: 320,
      height: 240,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 0.6, opacity: 0.25 },
          encoding: {
            x,
            y: { field: 'angle', type: 'quantitative', title: 'angle (degrees)' },
            color,
            detail: { field: 'layer' },
          },
        },
        {
          mark: { type: 'line', strokeWidth: 2.5 },
          encoding: { x, y: { aggregate: 'mean', field: 'angle', type: 'quantitative' }, color },
        },
      ],
    },
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
}

/**
 * The alignment table: per run, the mean angles over the rule's layers at the first and the last logged step
 * (B vs W and dx vs backprop's dx, degrees).
 */
export function alignmentTable(runs: RunResults[]): string {
  const rows = runs
    .filter((r) => r.alignment?.length)
    .map((r) => {
      const rows = r.alignment!;
      const first = meanAngles(r, rows[0]);
      const last = meanAngles(r, rows[rows.length - 1]);
      const n = ruleLayers(r, rows[rows.length - 1]).length;
      return `| ${r.config.preset} | ${n} | ${rows[0].globalStep} | ${first.feedbackAngle.toFixed(1)} | ${first.dxAngle.toFixed(1)} | ${rows[rows.length - 1].globalStep} | ${last.feedbackAngle.toFixed(1)} | ${last.dxAngle.toFixed(1)} |`;
    });
  return [
    '## Alignment with backprop (mean over the layers that learn with the rule, degrees)',
    '',
    '| run | layers | first step | B vs W | dx vs bp dx | last step | B vs W | dx vs bp dx |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
