/**
 * Convolution throughput per backend: forward, input gradient (dx) and filter gradient (dW), in GFLOP/s
 * (multiply-adds counted as 2). Each gradient is timed with the plan the library picks for the backend and,
 * where the backend has them, with its native kernels for comparison.
 */
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGrad, filterGradFormulation } from '../src/ops/asymmetric-conv2d';
import { convGradientPlan } from '../src/ops/backend-plan';
import { conv2dFilterGradNative } from '../src/ops/conv-filter-gradient';
import { type ConvGeometry, convGeometry, explicitPadding } from '../src/ops/conv-geometry';
import { conv2dInputGradNative, conv2dInputGradPhases } from '../src/ops/conv-input-gradient';

interface Case {
  name: string;
  x: [number, number, number, number];
  k: number;
  out: number;
  stride: number;
  pad: number;
}

const cases: Case[] = [
  { name: '3x3/1 64->64, 32x32, batch 8', x: [8, 32, 32, 64], k: 3, out: 64, stride: 1, pad: 1 },
  { name: '7x7/2 stem 3->64, 224x224, batch 4', x: [4, 224, 224, 3], k: 7, out: 64, stride: 2, pad: 3 },
  { name: '1x1/2 64->128, 32x32, batch 8', x: [8, 32, 32, 64], k: 1, out: 128, stride: 2, pad: 0 },
];

async function tryBackend(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** Median seconds of `fn` over runs filling about `budget` seconds (after one warm-up). */
function time(fn: () => tf.Tensor, budget = 1.5): number {
  const run = () => {
    const t0 = performance.now();
    const out = fn();
    out.dataSync();
    out.dispose();
    return (performance.now() - t0) / 1000;
  };
  run();
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < 3 || (spent < budget && samples.length < 20)) {
    const s = run();
    samples.push(s);
    spent += s;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function flops(g: ConvGeometry): number {
  return (
    2 * g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels
  );
}

const rows: string[][] = [];
const backends = ['wasm', 'cpu'];
try {
  // Present only where libtensorflow could be installed.
  await import('@tensorflow/tfjs-node' as string);
  backends.unshift('tensorflow');
} catch {}

for (const backend of backends) {
  if (!(await tryBackend(backend))) continue;
  await tf.ready();
  const plan = convGradientPlan(backend);
  const hasNative = (k: string) => tf.getKernel(k, backend) !== undefined;
  for (const c of cases) {
    const g = convGeometry(c.x, [c.k, c.k, c.x[3], c.out], c.stride, c.pad);
    const x = tf.randomNormal(c.x) as tf.Tensor4D;
    const w = tf.randomNormal([c.k, c.k, c.x[3], c.out]) as tf.Tensor4D;
    const dy = tf.randomNormal([g.batch, g.outHeight, g.outWidth, g.outChannels]) as tf.Tensor4D;
    const budget = backend === 'cpu' ? 0.5 : 1.5;
    const gf = (s: number) => (flops(g) / s / 1e9).toFixed(2);
    const fwd = time(() => tf.conv2d(x, w, c.stride, explicitPadding(c.pad)), budget);
    const dxFast = plan.input === 'native' ? NaN : time(() => conv2dInputGradPhases(dy, w, g), budget);
    const dwFast = plan.filter === 'native' ? NaN : time(() => conv2dFilterGrad(x, dy, g), budget);
    const dxNative = hasNative('Conv2DBackpropInput')
      ? time(() => conv2dInputGradNative(dy, w, g), budget)
      : NaN;
    // The cpu backend's filter gradient runs at ~0.02 GFLOP/s: one run of the stem would take a minute.
    const slowNativeFilter = backend === 'cpu' && flops(g) > 3e8;
    const dwNative =
      hasNative('Conv2DBackpropFilter') && !slowNativeFilter
        ? time(() => conv2dFilterGradNative(x, dy, g), budget)
        : NaN;
    const dx = Number.isNaN(dxFast) ? dxNative : dxFast;
    const dw = Number.isNaN(dwFast) ? dwNative : dwFast;
    const show = (s: number) => (Number.isNaN(s) ? '-' : gf(s));
    rows.push([
      backend,
      c.name,
      gf(fwd),
      `${gf(dx)} (${plan.input})`,
      `${gf(dw)} (${filterGradFormulation(g)})`,
      show(dxNative),
      hasNative('Conv2DBackpropFilter') ? (slowNativeFilter ? 'skipped' : show(dwNative)) : 'absent',
      `${(fwd / dx).toFixed(2)} / ${(fwd / dw).toFixed(2)}`,
    ]);
    tf.dispose([x, w, dy]);
  }
}

const header = [
  'backend',
  'convolution',
  'forward',
  'dx (plan)',
  'dW (plan)',
  'dx native',
  'dW native',
  'dx/fwd, dW/fwd',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => `| ${r.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
console.log('GFLOP/s (multiply-add = 2 FLOPs), float32, median of repeated runs');
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
