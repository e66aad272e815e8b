import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './child-process';
import type { GpuSetup } from './gpu-backends';
import { type Measurement, parseMeasurement } from './measurement';
import { type Timing, timingArgs } from './timed-steps';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * How to start the worker: in the repository the harness runs as TypeScript under tsx and so does the worker;
 * in the bundle of `npm run bundle:gpu` both are compiled to JavaScript side by side and plain `node` runs them.
 */
export function gpuWorkerArgs(dir: string, args: string[]): string[] {
  const compiled = join(dir, 'gpu-worker.js');
  if (existsSync(compiled)) return [compiled, ...args];
  return ['--import', 'tsx', join(dir, 'gpu-worker.ts'), ...args];
}

/** The bench folder: the children's working directory, as for bench:compare. */
const BENCH_DIR = join(HERE, '..');

/** Whether `backend` starts in a fresh worker, with its adapter; or why not. */
export async function probeGpuBioProp(backend: string, allowSoftware: boolean): Promise<GpuSetup> {
  const args = ['--probe', '--backend', backend, ...(allowSoftware ? ['--allow-software'] : [])];
  const got = await runJsonChild(process.execPath, gpuWorkerArgs(HERE, args), {
    cwd: BENCH_DIR,
    timeoutMs: 300_000,
  });
  if (!got.ok) return { ok: false, backend: backend as GpuSetup['backend'], reason: got.error, tfjs: '' };
  return JSON.parse(got.line);
}

/** What one BioProp GPU measurement trains: ResNet-18 at this batch, input size and first-stage width. */
export interface GpuSetting {
  batch: number;
  size: number;
  width: number;
}

/** One BioProp measurement of ResNet-18 on a GPU backend, in a fresh worker process. */
export async function measureGpuBioProp(
  backend: string,
  allowSoftware: boolean,
  setting: GpuSetting,
  rule: string,
  timing: Timing,
  timeoutMs: number,
): Promise<Measurement | { error: string }> {
  const args = [
    ...['--backend', backend, '--rule', rule, '--batch', String(setting.batch)],
    ...['--size', String(setting.size), '--width', String(setting.width)],
    ...(allowSoftware ? ['--allow-software'] : []),
    ...timingArgs(timing),
  ];
  const got = await runJsonChild(process.execPath, gpuWorkerArgs(HERE, args), { cwd: BENCH_DIR, timeoutMs });
  if (!got.ok) return { error: got.error };
  return parseMeasurement(got.line);
}
