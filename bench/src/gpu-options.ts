import { parseArgs } from 'node:util';
import { RULES } from './options';
import { PYTHON_CANDIDATES } from './pytorch';
import type { Timing } from './timed-steps';

/** What `npm run bench:gpu -- ...` asked for. */
export interface GpuOptions {
  help: boolean;
  /** A tiny network, input and batch, one timed step: a smoke run whose numbers mean nothing. */
  quick: boolean;
  /** Measure on a software WebGPU adapter too (a CPU emulating a GPU); `--quick` implies it. */
  allowSoftware: boolean;
  rules: string[];
  batch: number;
  /** Input height = width. */
  size: number;
  /** Channels of ResNet-18's first stage: 64 is ResNet-18 itself, `--quick` shrinks it. */
  width: number;
  /** Where to write the raw measurements as JSON. */
  json?: string;
  /** Pythons to look for torch with CUDA in. */
  pythons: string[];
  timing: Timing;
  /** Per measurement (one child process). */
  timeoutMs: number;
}

export const GPU_USAGE = `Usage: npm run bench:gpu -- [options]
       ./run-bench-gpu.sh [options]     (in the bundle of npm run bundle:gpu)

Trains ResNet-18 (224x224, batch 256) per rule on the GPU, each measurement in its own process: BioProp on
WebGPU (Dawn, a hardware adapter), BioProp on tfjs-node-gpu when it is installed, and PyTorch CUDA when a
Python with torch and CUDA is found. Prints what it found first, then images/s side by side.

  --quick           smoke run: ResNet-18 at width 8, 32x32, batch 2, one timed step, on any WebGPU adapter,
                    the software one too (numbers NOT representative)
  --rules LIST      comma-separated, from ${RULES.join(', ')} (default: all)
  --batch N         images per step (default 256)
  --size N          input height = width (default 224)
  --allow-software  measure on a software WebGPU adapter at the full setting too (very slow)
  --json FILE       also write the raw measurements to FILE
  --python PATH     the Python with torch (default: the first of ${PYTHON_CANDIDATES.join(', ')} whose torch has CUDA)
  --help            this text`;

/** The setting, and the smoke run's: small enough for Mesa's software renderer in a minute or two. */
const FULL = { batch: 256, size: 224, width: 64 };
const QUICK = { batch: 2, size: 32, width: 8 };

/** A GPU needs its first steps to compile shaders and fill caches; then at least 5 steps and 15 s. */
const FULL_TIMING: Timing = { warmupSteps: 2, minSteps: 5, minSeconds: 15, maxSteps: 1000 };
const QUICK_TIMING: Timing = { warmupSteps: 1, minSteps: 1, minSeconds: 0, maxSteps: 1 };

/** A whole number >= 1 from a flag, or an error that names the flag. */
function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag}: a whole number >= 1 is needed, not '${value}'`);
  return n;
}

/** Parses bench:gpu's command line; an unknown option or value is an error that lists the choices. */
export function parseGpuOptions(argv: string[]): GpuOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'allow-software': { type: 'boolean', default: false },
      rules: { type: 'string' },
      batch: { type: 'string' },
      size: { type: 'string' },
      json: { type: 'string' },
      python: { type: 'string' },
    },
  });
  const quick = values.quick!;
  const base = quick ? QUICK : FULL;
  const rules = (values.rules ?? RULES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = rules.filter((r) => !(RULES as readonly string[]).includes(r));
  if (bad.length || !rules.length) {
    throw new Error(`--rules: unknown ${bad.join(', ') || '(empty)'}; choose from ${RULES.join(', ')}`);
  }
  return {
    help: values.help!,
    quick,
    allowSoftware: quick || values['allow-software']!,
    // The table's order, whatever order they were asked in.
    rules: RULES.filter((r) => rules.includes(r)),
    batch: positive('--batch', values.batch, base.batch),
    size: positive('--size', values.size, base.size),
    width: base.width,
    json: values.json,
    pythons: values.python ? [values.python] : PYTHON_CANDIDATES,
    timing: quick ? QUICK_TIMING : FULL_TIMING,
    timeoutMs: (quick ? 10 : 30) * 60_000,
  };
}
