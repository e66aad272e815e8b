/**
 * Training throughput (forward + backward + SGD step, images/s) of ResNet-18 at 224x224 (batch 8) and the
 * fashion-mini network (ResNet-18 small-image stem, width 16, 1 channel, 28x28, 10 classes, batch 128) per
 * rule and backend, with the process's peak resident memory. Backends: wasm; cpu for fashion-mini only, and
 * only if a step is not absurdly slow; tensorflow if `@tensorflow/tfjs-node` loads.
 */
import { cpus, loadavg } from 'node:os';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { SGD } from '@bioprop/feedback-rules';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type BuildModelOptions, buildModel } from '../src/build-model';

interface Net {
  name: string;
  options: Omit<BuildModelOptions, 'rule'>;
  batch: number;
  /** Timed steps after one warm-up step. */
  steps: number;
}

const nets: Net[] = [
  {
    name: 'resnet18 224x224',
    options: { arch: 'resnet18', inputSize: 224, classes: 1000, inputChannels: 3, stem: 'imagenet', seed: 1 },
    batch: 8,
    steps: 2,
  },
  {
    name: 'fashion-mini 28x28',
    options: {
      arch: 'resnet18',
      inputSize: 28,
      classes: 10,
      inputChannels: 1,
      stem: 'small',
      width: 16,
      seed: 1,
    },
    batch: 128,
    steps: 3,
  },
];
const rules = ['bp', 'ss', 'fa'];
/** A warm-up step slower than this on the cpu backend skips it (with a note). */
const CPU_STEP_LIMIT_S = 60;

let peakRss = 0;
function sampleRss(): number {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return peakRss;
}

interface Row {
  backend: string;
  net: string;
  rule: string;
  imagesPerSecond: number | null;
  secondsPerStep: number | null;
  peakRssMb: number;
  note: string;
}

/** Seconds of one training step; the loss is read back so that the step has really run. */
function trainStep(
  model: tfl.LayersModel,
  params: tf.Variable[],
  opt: SGD,
  x: tf.Tensor,
  y: tf.Tensor,
): number {
  const t0 = performance.now();
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(x, { training: true }) as tf.Tensor;
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  }, params);
  opt.step(grads);
  tf.dispose(grads);
  const loss = value.dataSync()[0];
  value.dispose();
  if (!Number.isFinite(loss)) throw new Error(`loss is ${loss}`);
  sampleRss();
  return (performance.now() - t0) / 1000;
}

async function run(backend: string, net: Net, rule: string): Promise<Row> {
  const model = buildModel({ ...net.options, rule }) as tfl.LayersModel;
  const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = new SGD([{ name: 'all', params, lr: 0.01, momentum: 0.9, weightDecay: 1e-4 }]);
  const size = net.options.inputSize!;
  const x = tf.randomNormal([net.batch, size, size, net.options.inputChannels!], 0, 1, 'float32', 1);
  const labels = Array.from({ length: net.batch }, (_, i) => i % net.options.classes!);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), net.options.classes!);
  const row: Row = {
    backend,
    net: `${net.name}, batch ${net.batch}`,
    rule,
    imagesPerSecond: null,
    secondsPerStep: null,
    peakRssMb: 0,
    note: '',
  };
  try {
    const warm = trainStep(model, params, opt, x, y);
    if (backend === 'cpu' && warm > CPU_STEP_LIMIT_S) {
      row.note = `skipped: warm-up step took ${warm.toFixed(0)} s (${(net.batch / warm).toFixed(2)} images/s)`;
    } else {
      let total = 0;
      for (let i = 0; i < net.steps; i++) total += trainStep(model, params, opt, x, y);
      row.secondsPerStep = total / net.steps;
      row.imagesPerSecond = (net.batch * net.steps) / total;
    }
  } finally {
    opt.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
  row.peakRssMb = sampleRss() / 2 ** 20;
  return row;
}

async function tryBackend(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const loadBefore = loadavg()[0];
  const report = (r: Row) => {
    rows.push(r);
    const speed = r.imagesPerSecond === null ? '-' : r.imagesPerSecond.toFixed(2);
    console.error(`  ${r.backend} ${r.net} ${r.rule}: ${speed} images/s ${r.note}`);
  };

  let tensorflow = false;
  try {
    await import('@tensorflow/tfjs-node' as string);
    tensorflow = await tryBackend('tensorflow');
  } catch (err) {
    notes.push(`tensorflow: @tensorflow/tfjs-node does not load (${(err as Error).message.split('\n')[0]})`);
  }

  const plan: { backend: string; nets: Net[] }[] = [{ backend: 'wasm', nets }];
  if (tensorflow) plan.push({ backend: 'tensorflow', nets });
  // The cpu backend's conv gradients run below 1 GFLOP/s: ResNet-18 at 224 would take minutes per step.
  plan.push({ backend: 'cpu', nets: nets.filter((n) => n.options.inputSize! <= 32) });
  notes.push('cpu: ResNet-18 at 224x224 not run (the pure-JS backend needs minutes per step)');

  for (const { backend, nets: list } of plan) {
    if (!(await tryBackend(backend))) {
      notes.push(`${backend}: backend not available`);
      continue;
    }
    for (const net of list) {
      for (const rule of rules) {
        const row = await run(backend, net, rule);
        report(row);
        // If one rule is too slow on cpu, the others are too.
        if (row.note.startsWith('skipped')) {
          for (const other of rules.slice(rules.indexOf(rule) + 1)) {
            report({ ...row, rule: other, note: 'skipped (as above)' });
          }
          break;
        }
      }
    }
  }

  console.log('| backend | network | rule | images/s | s/step | peak RSS (MB) | note |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    const ips = r.imagesPerSecond === null ? '-' : r.imagesPerSecond.toFixed(2);
    const sps = r.secondsPerStep === null ? '-' : r.secondsPerStep.toFixed(2);
    console.log(
      `| ${r.backend} | ${r.net} | ${r.rule} | ${ips} | ${sps} | ${r.peakRssMb.toFixed(0)} | ${r.note} |`,
    );
  }
  console.log('');
  // Other processes on a small machine slow every row; the load average says how busy it was.
  console.log(
    `Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} cores.`,
  );
  console.log('Peak RSS is the running maximum of the process (the models run one after the other).');
  console.log(
    'For scale: PyTorch on the 2-core build machine trains ResNet-18 at 224x224 at about 9 images/s.',
  );
  for (const n of notes) console.log(`- ${n}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
