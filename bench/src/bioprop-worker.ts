/**
 * One BioProp measurement in a process of its own (started by compare.ts), so that neither the wasm heap nor
 * V8's compiled code of one network carries over to the next. Prints one JSON line on stdout: a
 * {@link Measurement}, or with `--probe` the backend's set-up (`{ ok, backend, threads, detail | reason }`).
 *
 *   tsx src/bioprop-worker.ts --net resnet18 --rule ss --batch 8 --size 224 [--backend wasm] [--warmup 2]
 *       [--min-steps 5] [--min-seconds 15] [--max-steps 1000] [--replicas N] [--threads N]
 *   tsx src/bioprop-worker.ts --probe [--backend webgpu]
 */
import '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { activateBackend, type BioPropBackend } from './backends';
import type { Measurement } from './measurement';
import { isNetworkName, networkSpec } from './networks';
import { timedReplicaSteps } from './replica-steps';
import { timedSteps } from './timed-steps';
import { createTrainingStep } from './training-step';
import { numberFlag, TIMING_FLAGS, timingFromFlags } from './worker-args';

const { values } = parseArgs({
  options: {
    probe: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
    net: { type: 'string' },
    rule: { type: 'string', default: 'bp' },
    batch: { type: 'string' },
    size: { type: 'string' },
    ...TIMING_FLAGS,
    // Data-parallel replicas (the trainer's loop with N-1 worker threads); 1: the bare step on this thread.
    replicas: { type: 'string', default: '1' },
    // XNNPACK threads in each process (wasm's threaded build above 1).
    threads: { type: 'string', default: '1' },
  },
});

/** A non-negative number option, or an error that names it. */
const numberOption = (name: keyof typeof values) => numberFlag(values, name);

async function main(): Promise<void> {
  const backend = values.backend as BioPropBackend;
  if (backend !== 'wasm' && backend !== 'webgpu')
    throw new Error(`--backend: wasm or webgpu, not ${backend}`);
  const setup = await activateBackend(backend, numberOption('threads'));
  if (values.probe) {
    console.log(JSON.stringify({ ...setup, version: `tfjs ${tf.version_core}` }));
    return;
  }
  if (!setup.ok) throw new Error(`backend ${backend}: ${setup.reason}`);
  const net = values.net ?? '';
  if (!isNetworkName(net)) throw new Error(`--net: unknown network '${net}'`);
  const spec = { ...networkSpec(net), batch: numberOption('batch'), size: numberOption('size') };
  const replicas = numberOption('replicas');
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error('--replicas: an integer >= 1 is needed');
  const timing = timingFromFlags(values);
  let run: Awaited<ReturnType<typeof timedSteps>>;
  if (replicas > 1) {
    run = await timedReplicaSteps(spec, values.rule!, replicas, timing);
  } else {
    const training = createTrainingStep(spec, values.rule!);
    run = await timedSteps(
      () => training.step(),
      () => training.sync(),
      timing,
    );
    training.dispose();
  }
  const m: Measurement = {
    side: 'bioprop',
    backend,
    net,
    rule: values.rule!,
    batch: spec.batch,
    size: spec.size,
    threads: setup.threads * replicas,
    warmupSteps: timing.warmupSteps,
    steps: run.steps,
    seconds: run.seconds,
    imagesPerSecond: (spec.batch * run.steps) / run.seconds,
    secondsPerStep: run.seconds / run.steps,
    lossFinite: run.lossFinite,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    version: `tfjs ${tf.version_core} ${setup.detail}`,
  };
  console.log(JSON.stringify(m));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
