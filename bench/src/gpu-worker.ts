/**
 * One BioProp GPU measurement in a process of its own (started by gpu.ts), so that one rule's device memory and
 * compiled shaders do not carry over to the next. Prints one JSON line on stdout: a {@link Measurement}, or with
 * `--probe` the backend's set-up (a {@link GpuSetup}).
 *
 *   tsx src/gpu-worker.ts --backend webgpu --rule ss --batch 256 --size 224 [--width 64] [--allow-software]
 *       [--warmup 2] [--min-steps 5] [--min-seconds 15] [--max-steps 1000]
 *   tsx src/gpu-worker.ts --probe [--backend tensorflow-gpu] [--allow-software]
 */
import '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { activateGpuBackend, GPU_BACKENDS, type GpuBackend } from './gpu-backends';
import type { Measurement } from './measurement';
import { networkSpec } from './networks';
import { timedSteps } from './timed-steps';
import { createTrainingStep } from './training-step';
import { numberFlag, TIMING_FLAGS, timingFromFlags } from './worker-args';

const { values } = parseArgs({
  options: {
    probe: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'webgpu' },
    'allow-software': { type: 'boolean', default: false },
    rule: { type: 'string', default: 'bp' },
    batch: { type: 'string' },
    size: { type: 'string' },
    width: { type: 'string', default: '64' },
    ...TIMING_FLAGS,
  },
});

/** A non-negative number option, or an error that names it. */
const numberOption = (name: keyof typeof values) => numberFlag(values, name);

async function main(): Promise<void> {
  const backend = values.backend as GpuBackend;
  if (!GPU_BACKENDS.includes(backend)) {
    throw new Error(`--backend: one of ${GPU_BACKENDS.join(', ')}, not ${backend}`);
  }
  const setup = await activateGpuBackend(backend, values['allow-software']!);
  if (values.probe) {
    console.log(JSON.stringify(setup));
    return;
  }
  if (!setup.ok) throw new Error(`backend ${backend}: ${setup.reason}`);
  const spec = {
    ...networkSpec('resnet18'),
    batch: numberOption('batch'),
    size: numberOption('size'),
    width: numberOption('width'),
  };
  const training = createTrainingStep(spec, values.rule!);
  const timing = timingFromFlags(values);
  const run = await timedSteps(
    () => training.step(),
    () => training.sync(),
    timing,
  );
  training.dispose();
  const m: Measurement = {
    side: 'bioprop',
    backend,
    net: 'resnet18',
    rule: values.rule!,
    batch: spec.batch,
    size: spec.size,
    threads: 1,
    warmupSteps: timing.warmupSteps,
    steps: run.steps,
    seconds: run.seconds,
    imagesPerSecond: (spec.batch * run.steps) / run.seconds,
    secondsPerStep: run.seconds / run.steps,
    lossFinite: run.lossFinite,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    version: `${setup.tfjs} ${setup.detail}`,
  };
  console.log(JSON.stringify(m));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
