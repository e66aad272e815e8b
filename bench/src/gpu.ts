/**
 * `npm run bench:gpu`: ResNet-18 training throughput per rule on the GPU: BioProp on WebGPU (Dawn on a hardware
 * adapter), BioProp on tfjs-node-gpu when it is installed, and PyTorch CUDA when a Python with torch and CUDA is
 * found. Prints what it found (Node, the GPU driver, the WebGPU adapter, the tfjs backend, PyTorch) before any
 * measurement, then one Markdown table of images/s. Every measurement runs in a process of its own; nothing asks
 * a question, so it runs unattended. `--help` lists the options; `--quick` is a smoke run on any adapter.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GpuBackend, GpuSetup } from './gpu-backends';
import { type GpuSetting, measureGpuBioProp, probeGpuBioProp } from './gpu-bioprop';
import { describeGpuDriver } from './gpu-driver';
import { adapterLines, tensorflowGpuLine } from './gpu-found-lines';
import { GPU_USAGE, type GpuOptions, parseGpuOptions } from './gpu-options';
import { findPyTorchCuda, measurePyTorchCuda, type PyTorchCuda } from './gpu-pytorch';
import { type GpuRow, gpuFailureLines, gpuTable } from './gpu-table';
import { describeMachine } from './machine';
import { measuredCell } from './measured-cell';
import type { Measurement } from './measurement';
import type { Cell } from './results';

/** A measurement as a table cell; failures take this table's footnote mark. */
function cellOf(label: string, run: () => Promise<Measurement | { error: string }>): Promise<Cell> {
  return measuredCell(label, run, '¹');
}

interface Found {
  webgpu: GpuSetup;
  tensorflowGpu: GpuSetup;
  pytorch: PyTorchCuda;
}

/** Probes the machine and prints what it found, before any measurement. */
async function findAndPrint(opts: GpuOptions, setting: GpuSetting): Promise<Found> {
  const machine = describeMachine();
  const driver = describeGpuDriver();
  console.log(
    `# BioProp on the GPU: ResNet-18 ${setting.size}x${setting.size}, batch ${setting.batch}, training images/s`,
  );
  console.log('');
  if (opts.quick) {
    console.log(
      `**QUICK SMOKE RUN: ResNet-18 at width ${setting.width}, ${setting.size}x${setting.size}, batch ${setting.batch}, ` +
        'one timed step, on any WebGPU adapter. The numbers are NOT representative.**',
    );
    console.log('');
  }
  console.log('Found:');
  console.log(
    `- Node ${machine.node} (${machine.platform}); CPU: ${machine.cpu}, ${machine.cpus} logical CPUs`,
  );
  console.log(`- GPU driver: ${driver.driver}`);
  console.log(`- GPU device nodes: ${driver.devices.length ? driver.devices.join(', ') : 'none'}`);
  if (driver.loaderEnv.length) console.log(`- Loader settings: ${driver.loaderEnv.join(' ')}`);
  const webgpu = await probeGpuBioProp('webgpu', opts.allowSoftware);
  for (const line of adapterLines(webgpu)) console.log(`- ${line}`);
  const tensorflowGpu = await probeGpuBioProp('tensorflow-gpu', false);
  console.log(`- ${tensorflowGpuLine(tensorflowGpu)}`);
  const pytorch = await findPyTorchCuda(opts.pythons);
  console.log(
    pytorch.ok
      ? `- PyTorch CUDA: torch ${pytorch.torch}, CUDA ${pytorch.cudaVersion} on ${pytorch.device}, at ${pytorch.python} (Python ${pytorch.pythonVersion})`
      : `- ${pytorch.missing}`,
  );
  console.log('');
  return { webgpu, tensorflowGpu, pytorch };
}

/** Why a column has no measurements, as its cells show it. */
function skippedCell(setup: GpuSetup): Cell {
  if (setup.backend === 'tensorflow-gpu') return { missing: 'not installed' };
  return { missing: setup.adapter?.software ? 'no hardware adapter' : 'no adapter' };
}

async function main(): Promise<number> {
  const opts = parseGpuOptions(process.argv.slice(2));
  if (opts.help) {
    console.log(GPU_USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const setting: GpuSetting = { batch: opts.batch, size: opts.size, width: opts.width };
  const found = await findAndPrint(opts, setting);
  const { timing, timeoutMs } = opts;

  /** One BioProp column's cell: measured when its backend started in the probe. */
  const bioprop = (backend: GpuBackend, setup: GpuSetup, rule: string) =>
    setup.ok
      ? cellOf(`BioProp ${backend}`, () =>
          measureGpuBioProp(backend, opts.allowSoftware, setting, rule, timing, timeoutMs),
        )
      : Promise.resolve(skippedCell(setup));
  const pytorch = found.pytorch.ok ? found.pytorch : null;

  const rows: GpuRow[] = [];
  for (const rule of opts.rules) {
    console.error(`[${rows.length + 1}/${opts.rules.length}] ResNet-18, ${rule}`);
    rows.push({
      rule,
      webgpu: await bioprop('webgpu', found.webgpu, rule),
      tensorflowGpu: await bioprop('tensorflow-gpu', found.tensorflowGpu, rule),
      pytorchCuda: pytorch
        ? await cellOf('PyTorch CUDA', () =>
            measurePyTorchCuda(pytorch.python, setting, rule, timing, timeoutMs),
          )
        : { missing: 'not available' },
    });
  }

  console.log(
    'Training images/s (forward, loss, backward, SGD step), higher is better; ratio = BioProp / PyTorch.',
  );
  console.log('');
  for (const line of gpuTable(rows)) console.log(line);
  console.log('');
  const failures = gpuFailureLines(rows);
  if (failures.length) console.log(['¹ failed measurements:', ...failures.map((f) => `  - ${f}`)].join('\n'));
  if (!found.webgpu.ok) console.log(`WebGPU not measured: ${found.webgpu.reason}.`);
  if (found.webgpu.ok && found.webgpu.adapter?.software) {
    console.log('WebGPU ran on a software adapter (a CPU emulating a GPU): correct, but no GPU speed.');
  }

  if (opts.json) {
    const record = { startedAt, quick: opts.quick, setting, machine: describeMachine(), found, timing, rows };
    // npm runs scripts at the repository root; a relative path means the caller's folder.
    const path = resolve(process.env.INIT_CWD ?? process.cwd(), opts.json);
    writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
    console.log('');
    console.log(`Raw numbers: ${path}`);
  }
  // For a script that runs this unattended: non-zero when a measurement failed or BioProp measured nothing.
  const measured = rows.some((r) => 'measurement' in r.webgpu || 'measurement' in r.tensorflowGpu);
  return failures.length || !measured ? 1 : 0;
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
