import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DetectionRunConfig } from '../detection/detection-presets';
import { detectionTable } from '../detection/detection-table';
import { MOSAIC_MD5 } from '../reference-results';
import { resultsTable } from '../report/results-table';
import { readRun } from '../run-results';
import { prepareFashionMosaicCommand } from './coco';
import { reportCommand } from './report';

/** Options of `repro mini`. */
export interface MiniOptions {
  out: string;
  resume?: boolean;
  backend?: string;
  /** Which presets: fashion-quick (the main job), fashion-mini, or the mosaic RetinaNet runs ('detection'). */
  family?: 'quick' | 'mini' | 'detection';
  /** Extra `repro train` arguments (tests shrink the run with them). */
  trainArgs?: string[];
}

/**
 * The main job: trains fashion-quick with bp, ss and fa in parallel processes (single-threaded wasm uses one
 * core each), then writes the report. Each run resumes where it stopped when `resume` is set.
 */
export async function miniCommand(opts: MiniOptions): Promise<number> {
  const family = opts.family ?? 'quick';
  const cli = fileURLToPath(import.meta.url);
  mkdirSync(opts.out, { recursive: true });
  const started = performance.now();
  const dataArgs = family === 'detection' ? ['--data', await mosaicData(opts.out)] : [];
  const preset = (rule: string) =>
    family === 'detection' ? `mosaic-retinanet-${rule}` : `fashion-${family}-${rule}`;
  const runs = ['bp', 'ss', 'fa'].map((rule) => {
    const dir = join(opts.out, rule);
    const logPath = join(opts.out, `${rule}.log`);
    const args = [
      cli,
      'train',
      '--preset',
      preset(rule),
      ...dataArgs,
      '--out',
      dir,
      '--progress',
      'lines',
      '--backend',
      opts.backend ?? 'auto',
      // Already one process per rule, one per core: more threads or replicas would only contend for the cores.
      '--replicas',
      '1',
      '--wasm-threads',
      '1',
      ...(opts.resume ? ['--resume'] : []),
      ...(opts.trainArgs ?? []),
    ];
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        if (/^epoch \d+\/\d+:|top-1 error|AP |error|Error/.test(line))
          process.stderr.write(`[${rule}] ${line}\n`);
      }
    });
    process.stderr.write(`[${rule}] started: log in ${logPath}\n`);
    return {
      rule,
      dir,
      logPath,
      done: new Promise<number>((resolve) =>
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
      ),
    };
  });
  const codes = await Promise.all(runs.map((r) => r.done));
  const minutes = (performance.now() - started) / 60000;
  const failed = runs.filter((_, i) => codes[i] !== 0);
  for (const f of failed) {
    const tail = readFileSync(f.logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
    process.stderr.write(`[${f.rule}] failed; end of ${f.logPath}:\n${tail}\n`);
  }
  const finished = runs.filter((_, i) => codes[i] === 0).map((r) => r.dir);
  if (finished.length) {
    const files = await reportCommand(finished, opts.out);
    process.stdout.write(
      family === 'detection'
        ? detectionTable(finished.map((d) => readRun<DetectionRunConfig>(d)))
        : resultsTable(finished.map((d) => readRun(d))),
    );
    process.stdout.write(`\nwall time ${minutes.toFixed(1)} min; report: ${files.join(', ')}\n`);
  }
  return failed.length ? 1 : 0;
}

/**
 * The fashion-mosaic set of the PyTorch reference runs in `out/data` (written once), checked against the md5 of
 * the reference's instances files, so that both sides train on the same data.
 */
async function mosaicData(out: string): Promise<string> {
  const dir = join(out, 'data');
  if (!existsSync(join(dir, 'instances_val.json'))) {
    process.stderr.write(await prepareFashionMosaicCommand({ out: dir, train: 4000, val: 500, seed: 0 }));
  }
  for (const split of ['train', 'val'] as const) {
    const file = join(dir, `instances_${split}.json`);
    const md5 = createHash('md5').update(readFileSync(file)).digest('hex');
    if (md5 !== MOSAIC_MD5[split]) {
      throw new Error(
        `${file} has md5 ${md5}, not the ${MOSAIC_MD5[split]} of the PyTorch reference's data: delete ${dir} to regenerate it`,
      );
    }
  }
  return dir;
}
