/**
 * `npm run bench:compare`: training throughput of the same networks and batches in BioProp (tfjs wasm) and in
 * PyTorch CPU, in one run. Prints what it found (CPU, Node, tfjs, torch and their threads, WebGPU), then one
 * Markdown table of images/s with the BioProp / PyTorch ratios per core and for the whole machine, then a
 * summary line per network against the performance targets. Every measurement runs in a process of its own.
 * `--help` lists the options.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ALL_CORES_FOOTNOTE, measureBioProp, measureBioPropAllCores, probeBioProp } from './bioprop';
import { busyWarning, describeMachine } from './machine';
import { measuredCell } from './measured-cell';
import type { Measurement } from './measurement';
import { type NetworkSpec, networkSpec } from './networks';
import { type CompareOptions, parseCompareOptions, USAGE } from './options';
import { findPyTorch, measurePyTorch, type PyTorchFound } from './pytorch';
import { failureLines, resultLines } from './report';
import type { CELL_KEYS, Cell, ResultRow } from './results';
import { measureInTurns } from './rounds';

/** A measurement as a table cell; failures take this table's footnote mark. */
function cellOf(label: string, run: () => Promise<Measurement | { error: string }>): Promise<Cell> {
  return measuredCell(label, run, '²');
}

/** The replicas cell: a measurement on `opts.replicas` replicas, or why there is none. */
async function replicasCell(spec: NetworkSpec, rule: string, opts: CompareOptions): Promise<Cell> {
  let missing: { missing: string } | null = null;
  const cell = await cellOf(`${rule}: BioProp wasm, ${opts.replicas} replicas`, async () => {
    const got = await measureBioPropAllCores(spec, rule, opts.replicas, opts.timing, opts.timeoutMs);
    if ('missing' in got) {
      missing = got;
      return { error: got.missing };
    }
    return got;
  });
  return missing ?? cell;
}

/** The measured columns of a row, each a function that measures its cell once. */
type RowJobs = Partial<Record<(typeof CELL_KEYS)[number], () => Promise<Cell>>>;

interface Found {
  pytorch: PyTorchFound | { missing: string };
  webgpu: { ok: boolean; reason?: string; detail?: string };
}

/** Probes the machine and prints what it found, before any measurement. */
async function findAndPrint(opts: CompareOptions): Promise<Found> {
  const machine = describeMachine();
  console.log('# BioProp vs PyTorch CPU: training images/s');
  console.log('');
  if (opts.quick) {
    console.log(
      '**QUICK SMOKE RUN: smaller inputs and batches, one timed step. The numbers are NOT representative.**',
    );
    console.log('');
  }
  console.log('Found:');
  console.log(`- CPU: ${machine.cpu}, ${machine.cpus} logical CPUs (${machine.platform})`);
  const busy = busyWarning(machine);
  if (busy) console.log(`- WARNING: ${busy}`);
  const wasm = await probeBioProp('wasm');
  const wasmLine = wasm.ok ? `${wasm.version}, ${wasm.detail}` : `wasm does not start: ${wasm.reason}`;
  console.log(`- Node ${machine.node}; BioProp: ${wasmLine}`);
  const pytorch = await findPyTorch(opts.pythons);
  if ('missing' in pytorch) {
    console.log(`- ${pytorch.missing}`);
  } else {
    const tv = pytorch.torchvision
      ? `torchvision ${pytorch.torchvision}`
      : 'no torchvision (RetinaNet fails)';
    console.log(
      `- PyTorch ${pytorch.torch} (${tv}) at ${pytorch.python} (Python ${pytorch.pythonVersion}): ${pytorch.defaultThreads} thread(s) by default; ` +
        `measured at 1 and ${machine.cpus} threads`,
    );
  }
  const webgpu = await probeBioProp('webgpu');
  console.log(webgpu.ok ? `- WebGPU: ${webgpu.detail}` : `- WebGPU: skipped: ${webgpu.reason}`);
  console.log('');
  return {
    pytorch,
    webgpu: webgpu.ok ? { ok: true, detail: webgpu.detail } : { ok: false, reason: webgpu.reason },
  };
}

async function main(): Promise<number> {
  const opts = parseCompareOptions(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const found = await findAndPrint(opts);
  const allThreads = describeMachine().cpus;
  const pytorch = 'missing' in found.pytorch ? null : found.pytorch;
  const noPyTorch: Cell = { missing: 'no PyTorch' };

  const rows: ResultRow[] = [];
  for (const [n, name] of opts.nets.entries()) {
    const spec = networkSpec(name, opts.quick);
    console.error(`[${n + 1}/${opts.nets.length}] ${spec.title}: ${opts.rules.join(', ')}`);
    const { timing, timeoutMs } = opts;
    // Every cell of the network, all rules, measured in one set of turns (see measureInTurns).
    const jobs = new Map<string, () => Promise<Cell>>();
    for (const rule of opts.rules) {
      const pytorchCell = (threads: number) => () =>
        pytorch
          ? cellOf(`${rule}: PyTorch, ${threads} thread${threads === 1 ? '' : 's'}`, () =>
              measurePyTorch(pytorch.python, spec, rule, threads, timing, timeoutMs),
            )
          : Promise.resolve(noPyTorch);
      const row: RowJobs = {
        biopropOneThread: () =>
          cellOf(`${rule}: BioProp wasm, 1 thread`, () =>
            measureBioProp('wasm', spec, rule, timing, timeoutMs),
          ),
        pytorchOneThread: pytorchCell(1),
        biopropThreads: () =>
          cellOf(`${rule}: BioProp wasm, ${opts.threads} threads`, () =>
            measureBioProp('wasm', spec, rule, timing, timeoutMs, opts.threads),
          ),
        biopropReplicas: () => replicasCell(spec, rule, opts),
        pytorchAllThreads: pytorchCell(allThreads),
      };
      if (found.webgpu.ok) {
        row.biopropWebGpu = () =>
          cellOf(`${rule}: BioProp webgpu`, () => measureBioProp('webgpu', spec, rule, timing, timeoutMs));
      }
      for (const [key, job] of Object.entries(row)) jobs.set(`${rule}/${key}`, job);
    }
    const cells = await measureInTurns(jobs, opts.rounds, (round) => {
      if (opts.rounds > 1) console.error(`  round ${round}/${opts.rounds}`);
    });
    for (const rule of opts.rules) {
      const at = (key: (typeof CELL_KEYS)[number]) => cells.get(`${rule}/${key}`);
      const webGpu = at('biopropWebGpu');
      rows.push({
        spec,
        rule,
        biopropOneThread: at('biopropOneThread')!,
        pytorchOneThread: at('pytorchOneThread')!,
        biopropThreads: at('biopropThreads')!,
        biopropReplicas: at('biopropReplicas')!,
        pytorchAllThreads: at('pytorchAllThreads')!,
        ...(webGpu ? { biopropWebGpu: webGpu } : {}),
      });
    }
  }

  const report = resultLines(rows, {
    quick: opts.quick,
    nets: opts.nets,
    allCores: { threads: opts.threads, replicas: opts.replicas, pytorchThreads: allThreads },
    footnotes: [ALL_CORES_FOOTNOTE],
    webGpuSkipped: found.webgpu.ok ? null : (found.webgpu.reason ?? 'unknown reason'),
  });
  for (const line of report) console.log(line);

  if (opts.json) {
    const record = {
      startedAt,
      quick: opts.quick,
      machine: describeMachine(),
      found,
      timing: opts.timing,
      rows,
    };
    // npm runs scripts at the repository root; a relative path means the caller's folder.
    const path = resolve(process.env.INIT_CWD ?? process.cwd(), opts.json);
    writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
    console.log('');
    console.log(`Raw numbers: ${path}`);
  }
  // A failed measurement is a cell of the table; the exit code still tells a script about it.
  return failureLines(rows).length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
