import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apFigureSpec } from '../detection/ap-figure';
import { type DetectionRunConfig, isDetectionConfig } from '../detection/detection-presets';
import { type DetectionRun, detectionEpochTable, detectionTable } from '../detection/detection-table';
import type { RunConfig } from '../presets';
import { alignmentFigureSpec, alignmentTable } from '../report/alignment-figure';
import { errorFigureSpec } from '../report/error-figure';
import { renderFigure } from '../report/render-figure';
import { resultsTable } from '../report/results-table';
import { type RunResults, readRun } from '../run-results';

/**
 * `repro report RUN...`: writes report.md into `out` with the classification table and test-error figure
 * (test-error.svg/.png) for classification runs, and for those that logged alignment the alignment table and
 * figure (alignment.svg/.png: angles of B to W and of the rule's dx to backprop's over training), and the detection tables and AP figure (detection-ap.svg/.png)
 * for detection runs. Returns the files written.
 */
export async function reportCommand(runDirs: string[], out: string): Promise<string[]> {
  if (runDirs.length === 0) throw new Error('report needs at least one run directory');
  const runs = runDirs.map((d) => readRun<RunConfig | DetectionRunConfig>(d));
  const detection = runs.filter((r): r is DetectionRun => isDetectionConfig(r.config));
  const classification = runs.filter((r) => !isDetectionConfig(r.config)) as RunResults<RunConfig>[];
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  const figure = async (name: string, spec: Parameters<typeof renderFigure>[0]) => {
    const { svg, png } = await renderFigure(spec);
    writeFileSync(join(out, `${name}.svg`), svg);
    writeFileSync(join(out, `${name}.png`), png);
    files.push(join(out, `${name}.svg`), join(out, `${name}.png`));
  };
  const sections = [`# BioProp results\n\nRuns: ${runDirs.map((d) => `\`${d}\``).join(', ')}\n`];
  if (classification.length) {
    await figure('test-error', errorFigureSpec(classification));
    sections.push(`${resultsTable(classification)}\n![test error per epoch](test-error.svg)\n`);
    const aligned = classification.filter((r) => r.alignment?.length);
    if (aligned.length) {
      await figure('alignment', alignmentFigureSpec(aligned));
      sections.push(`${alignmentTable(aligned)}\n![alignment with backprop over training](alignment.svg)\n`);
    }
  }
  if (detection.length) {
    await figure('detection-ap', apFigureSpec(detection));
    sections.push(
      `## Detection (COCO bbox metrics on the validation set)\n\n${detectionTable(detection)}\n` +
        `![AP per epoch](detection-ap.svg)\n\n### Per epoch\n\n${detectionEpochTable(detection)}`,
    );
  }
  const md = join(out, 'report.md');
  writeFileSync(md, sections.join('\n'));
  return [md, ...files];
}
