import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './child-process';
import type { GpuSetting } from './gpu-bioprop';
import { hostLibraryEnv } from './host-library-path';
import { type Measurement, parseMeasurement } from './measurement';
import { type Timing, timingArgs } from './timed-steps';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(BENCH_DIR, 'pytorch_throughput.py');

/** What `pytorch_throughput.py --probe` reports. */
interface Probe {
  pythonVersion: string;
  torch: string;
  cuda: boolean;
  cudaVersion: string | null;
  cudaDevice: string | null;
}

/** A Python whose torch sees a CUDA device, or a line that says why there is none. */
export type PyTorchCuda =
  | { ok: true; python: string; pythonVersion: string; torch: string; cudaVersion: string; device: string }
  | { ok: false; missing: string };

/**
 * The first of `candidates` whose torch sees a CUDA device. Where torch is there but without CUDA (Debian's
 * python3-torch is CPU-only) the line names its version, so that the reader knows which Python was looked at.
 */
export async function findPyTorchCuda(candidates: string[]): Promise<PyTorchCuda> {
  const cpuOnly: string[] = [];
  const tried: string[] = [];
  for (const python of candidates) {
    const got = await runJsonChild(python, [SCRIPT, '--probe'], {
      cwd: BENCH_DIR,
      env: hostLibraryEnv(),
      timeoutMs: 120_000,
    });
    if (!got.ok) {
      tried.push(`${python}: ${got.error}`);
      continue;
    }
    const p = JSON.parse(got.line) as Probe;
    if (p.cuda && p.cudaDevice) {
      return {
        ok: true,
        python,
        pythonVersion: p.pythonVersion,
        torch: p.torch,
        cudaVersion: p.cudaVersion ?? 'unknown',
        device: p.cudaDevice,
      };
    }
    cpuOnly.push(`torch ${p.torch} without CUDA at ${python}`);
  }
  if (cpuOnly.length) return { ok: false, missing: `PyTorch CUDA: not available (${cpuOnly.join('; ')})` };
  return { ok: false, missing: `PyTorch CUDA: not available (no Python with torch: ${tried.join('; ')})` };
}

/** One PyTorch CUDA measurement of the same ResNet-18, in its own process. */
export async function measurePyTorchCuda(
  python: string,
  setting: GpuSetting,
  rule: string,
  timing: Timing,
  timeoutMs: number,
): Promise<Measurement | { error: string }> {
  const args = [
    SCRIPT,
    ...[
      '--net',
      'resnet18',
      '--rule',
      rule,
      '--batch',
      String(setting.batch),
      '--size',
      String(setting.size),
    ],
    ...['--width', String(setting.width), '--device', 'cuda'],
    ...timingArgs(timing),
  ];
  const got = await runJsonChild(python, args, { cwd: BENCH_DIR, env: hostLibraryEnv(), timeoutMs });
  if (!got.ok) return { error: got.error };
  return parseMeasurement(got.line);
}
