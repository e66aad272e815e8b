import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultsTable } from '../report/results-table';
import { readRun } from '../run-results';
import { reportCommand } from './report';

/** Options of `repro mini`. */
export interface MiniOptions {
  out: string;
  resume?: boolean;
  backend?: string;
  /** Which fashion presets family: 'quick' (the main job) or 'mini'. */
  family?: 'quick' | 'mini';
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
  const runs = ['bp', 'ss', 'fa'].map((rule) => {
    const dir = join(opts.out, rule);
    const logPath = join(opts.out, `${rule}.log`);
    const args = [
      cli,
      'train',
      '--preset',
      `fashion-${family}-${rule}`,
      '--out',
      dir,
      '--progress',
      'lines',
      '--backend',
      opts.backend ?? 'auto',
      ...(opts.resume ? ['--resume'] : []),
      ...(opts.trainArgs ?? []),
    ];
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        if (/^epoch \d+\/\d+:|top-1 error|error|Error/.test(line))
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
    process.stdout.write(resultsTable(finished.map(readRun)));
    process.stdout.write(`\nwall time ${minutes.toFixed(1)} min; report: ${files.join(', ')}\n`);
  }
  return failed.length ? 1 : 0;
}
