import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One row of a run's per-epoch log: the fields below, the task's evaluation metrics (classification:
 * `testLoss`, `top1Err`, `top5Err`) and the mean of each named training loss part as `train_<name>`.
 */
export interface EpochRecord {
  epoch: number;
  lr: number;
  trainLoss: number;
  seconds: number;
  imagesPerSec: number;
  numTensors: number;
  rssMB: number;
  [metric: string]: number;
}

/** One row of a run's per-N-steps log; named training loss parts follow `loss`. */
export interface StepRecord {
  epoch: number;
  step: number;
  globalStep: number;
  lr: number;
  loss: number;
  imagesPerSec: number;
  [part: string]: number;
}

/**
 * The files of a run directory: `config.json`, `metrics.jsonl` (every record, typed), `epochs.csv`,
 * `steps.csv` and `alignment.csv`. Appends only, so a resumed run continues the same files.
 */
export class RunLog {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Writes the run's configuration. */
  writeConfig(config: unknown): void {
    writeFileSync(join(this.dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  }

  epoch(rec: EpochRecord): void {
    this.jsonl({ type: 'epoch', ...rec });
    this.csv('epochs.csv', rec as unknown as Record<string, number>);
  }

  step(rec: StepRecord): void {
    this.jsonl({ type: 'step', ...rec });
    this.csv('steps.csv', rec as unknown as Record<string, number>);
  }

  alignment(globalStep: number, layers: { layer: string; feedbackAngle: number; dxAngle: number }[]): void {
    this.jsonl({ type: 'alignment', globalStep, layers });
    for (const l of layers)
      this.csv('alignment.csv', { globalStep, ...l } as unknown as Record<string, number>);
  }

  /** Free-form event (resume, mid-epoch checkpoint, stop, divergence). */
  event(kind: string, detail: Record<string, unknown>): void {
    this.jsonl({ type: kind, time: new Date().toISOString(), ...detail });
  }

  private jsonl(obj: unknown): void {
    appendFileSync(join(this.dir, 'metrics.jsonl'), `${JSON.stringify(obj)}\n`);
  }

  private csv(file: string, row: Record<string, number | string>): void {
    const path = join(this.dir, file);
    const keys = Object.keys(row);
    if (!existsSync(path)) appendFileSync(path, `${keys.join(',')}\n`);
    appendFileSync(path, `${keys.map((k) => row[k]).join(',')}\n`);
  }
}
