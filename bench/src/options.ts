import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { MAX_WASM_THREADS } from '@bioprop/trainer';
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
  /** XNNPACK threads of the threads column (default: the machine's cores, at most 8). */
  threads: number;
  /** Data-parallel replicas of the replicas column (default: the machine's cores). */
  replicas: number;
  /** Times each cell is measured, round-robin over a row's cells; the table shows the median. */
  rounds: number;
}

export const USAGE = `Usage: npm run bench:compare -- [options]

Trains the same networks and batches in BioProp (wasm) and in PyTorch CPU, each measurement in its own
process, and prints images/s side by side with the ratios.

  --quick          smoke run: small inputs and batches, one timed step (numbers NOT representative)
  --nets LIST      comma-separated, from ${NETWORK_NAMES.join(', ')} (default: all)
  --rules LIST     comma-separated, from ${RULES.join(', ')} (default: all)
  --json FILE      also write the raw measurements to FILE
  --python PATH    the Python with torch (default: the first of ${PYTHON_CANDIDATES.join(', ')} with torch)
  --threads N      BioProp's threads column: one process on N XNNPACK threads (default: the machine's cores, at most ${MAX_WASM_THREADS})
  --replicas N     BioProp's replicas column: N data-parallel replicas (default: the machine's cores)
  --rounds K       measure every cell K times, taking turns over all cells and rules of a network, and show the
                   median (default 1): a host whose speed drifts then moves every column and rule alike
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
      threads: { type: 'string' },
      replicas: { type: 'string' },
      rounds: { type: 'string' },
    },
  });
  const cores = availableParallelism();
  const replicas = count('--replicas', values.replicas, cores);
  const threads = count('--threads', values.threads, Math.min(cores, MAX_WASM_THREADS), MAX_WASM_THREADS);
  const rounds = count('--rounds', values.rounds, 1);
  return {
    help: values.help!,
    quick: values.quick!,
    nets: list('--nets', values.nets, NETWORK_NAMES),
    rules: list('--rules', values.rules, RULES),
    json: values.json,
    pythons: values.python ? [values.python] : PYTHON_CANDIDATES,
    timing: values.quick ? QUICK_TIMING : FULL_TIMING,
    timeoutMs: (values.quick ? 10 : 30) * 60_000,
    threads,
    replicas,
    rounds,
  };
}

/** An integer option from 1 to `max`, `fallback` when absent; anything else is an error that names it. */
function count(flag: string, value: string | undefined, fallback: number, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n > max) {
    const range = max === Infinity ? 'an integer >= 1' : `an integer from 1 to ${max}`;
    throw new Error(`${flag}: ${range} is needed, got '${value}'`);
  }
  return n;
}
