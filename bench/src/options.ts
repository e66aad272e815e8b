import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { NETWORK_NAMES, type NetworkName } from './networks';
import { PYTHON_CANDIDATES } from './pytorch';
import type { Timing } from './timed-steps';

/** The rules both sides implement (reference/pytorch/asym.py). */
export const RULES = ['bp', 'ss', 'fa'] as const;

/** What `npm run bench:compare -- ...` asked for. */
export interface CompareOptions {
  help: boolean;
  /** Smaller inputs and batches, one timed step: a smoke run whose numbers mean nothing. */
  quick: boolean;
  nets: NetworkName[];
  rules: string[];
  /** Where to write the raw measurements as JSON. */
  json?: string;
  /** Pythons to look for torch in. */
  pythons: string[];
  timing: Timing;
  /** Per measurement (one child process). */
  timeoutMs: number;
  /** Data-parallel replicas of the all-cores column (default: the machine's cores). */
  replicas: number;
}

export const USAGE = `Usage: npm run bench:compare -- [options]

Trains the same networks and batches in BioProp (wasm) and in PyTorch CPU, each measurement in its own
process, and prints images/s side by side with the ratios.

  --quick          smoke run: small inputs and batches, one timed step (numbers NOT representative)
  --nets LIST      comma-separated, from ${NETWORK_NAMES.join(', ')} (default: all)
  --rules LIST     comma-separated, from ${RULES.join(', ')} (default: all)
  --json FILE      also write the raw measurements to FILE
  --python PATH    the Python with torch (default: the first of ${PYTHON_CANDIDATES.join(', ')} with torch)
  --replicas N     BioProp's all-cores column: N data-parallel replicas (default: the machine's cores)
  --help           this text`;

/** Default timing: a few seconds of warm-up, then at least 5 steps and 15 s per measurement. */
const FULL_TIMING: Timing = { warmupSteps: 2, minSteps: 5, minSeconds: 15, maxSteps: 1000 };
const QUICK_TIMING: Timing = { warmupSteps: 1, minSteps: 1, minSeconds: 0, maxSteps: 1 };

/** Items of a comma-separated list, each checked against `known`. */
function list<T extends string>(flag: string, value: string | undefined, known: readonly T[]): T[] {
  if (value === undefined) return [...known];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((s) => !known.includes(s as T));
  if (bad.length || !items.length) {
    throw new Error(`${flag}: unknown ${bad.join(', ') || '(empty)'}; choose from ${known.join(', ')}`);
  }
  // The table's order, whatever order they were asked in.
  return known.filter((k) => items.includes(k));
}

/** Parses the harness's command line; an unknown option or value is an error that lists the choices. */
export function parseCompareOptions(argv: string[]): CompareOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      nets: { type: 'string' },
      rules: { type: 'string' },
      json: { type: 'string' },
      python: { type: 'string' },
      replicas: { type: 'string' },
    },
  });
  const replicas = values.replicas === undefined ? availableParallelism() : Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(`--replicas: an integer >= 1 is needed, got '${values.replicas}'`);
  }
  return {
    help: values.help!,
    quick: values.quick!,
    nets: list('--nets', values.nets, NETWORK_NAMES),
    rules: list('--rules', values.rules, RULES),
    json: values.json,
    pythons: values.python ? [values.python] : PYTHON_CANDIDATES,
    timing: values.quick ? QUICK_TIMING : FULL_TIMING,
    timeoutMs: (values.quick ? 10 : 30) * 60_000,
    replicas,
  };
}
