import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './child-process';
import { type Measurement, parseMeasurement } from './measurement';
import type { NetworkSpec } from './networks';
import { type Timing, timingArgs } from './timed-steps';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(BENCH_DIR, 'pytorch_throughput.py');

/**
 * Pythons tried in turn: Debian's, which `apt-get install python3-torch python3-torchvision` equips (a pyenv or
 * venv `python3` earlier on the PATH usually has no torch), then whatever `python3` is on the PATH.
 */
export const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3'];

/** A Python that imports torch, with what it reported. */
export interface PyTorchFound {
  /** The interpreter, as given. */
  python: string;
  pythonVersion: string;
  torch: string;
  /** Null when torchvision is missing (the RetinaNet measurements then fail, the others run). */
  torchvision: string | null;
  /** torch.get_num_threads() with no setting. */
  defaultThreads: number;
}

/** The first of `candidates` that imports torch, or a line that says how to get one. */
export async function findPyTorch(candidates: string[]): Promise<PyTorchFound | { missing: string }> {
  const tried: string[] = [];
  for (const python of candidates) {
    const got = await runJsonChild(python, [SCRIPT, '--probe'], { cwd: BENCH_DIR, timeoutMs: 120_000 });
    if (got.ok) {
      const p = JSON.parse(got.line) as Omit<PyTorchFound, 'python'>;
      return { ...p, python };
    }
    tried.push(`${python}: ${got.error}`);
  }
  return {
    missing: `PyTorch not found: apt-get install python3-torch python3-torchvision (tried ${tried.join('; ')})`,
  };
}

/**
 * One PyTorch measurement in its own process, on `threads` threads: the OpenMP variables size the pool from the
 * start, and the script sets torch's thread count to the same number.
 */
export async function measurePyTorch(
  python: string,
  spec: NetworkSpec,
  rule: string,
  threads: number,
  timing: Timing,
  timeoutMs: number,
): Promise<Measurement | { error: string }> {
  const args = [
    SCRIPT,
    ...['--net', spec.name, '--rule', rule, '--batch', String(spec.batch), '--size', String(spec.size)],
    ...['--threads', String(threads)],
    ...timingArgs(timing),
  ];
  const env = { OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const got = await runJsonChild(python, args, { cwd: BENCH_DIR, env, timeoutMs });
  if (!got.ok) return { error: got.error };
  return parseMeasurement(got.line);
}
