/**
 * Training-mode batch norm, forward + backward (ms per call), per backend: `batchNormTraining` (closed-form
 * gradient, per-channel sums by plane pooling, affine maps on wide rows) against autodiff of the plain tfjs
 * formulation (`tf.moments` + `tf.batchNorm`). Shapes: the ResNet-18 stages of the fashion nets (batch 128,
 * 28x28 input, widths 8 and 16) and two of ImageNet ResNet-18 (batch 8).
 */
import { cpus, loadavg } from 'node:os';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining } from '../src/batch-norm-training';

const shapes: number[][] = [
  [128, 28, 28, 8],
  [128, 14, 14, 16],
  [128, 7, 7, 32],
  [128, 4, 4, 64],
  [128, 28, 28, 16],
  [128, 4, 4, 128],
  [8, 56, 56, 64],
  [8, 7, 7, 512],
];

/** Best of `reps` timings of `f` in ms, after one warm-up call. */
function bestMs(f: () => tf.Tensor[], reps: number): number {
  tf.dispose(f());
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = f();
    for (const t of out) t.dataSync();
    best = Math.min(best, performance.now() - t0);
    tf.dispose(out);
  }
  return best;
}

function ours(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, dy: tf.Tensor): () => tf.Tensor[] {
  return () => {
    const { grads } = tf.tidy(() =>
      tf.variableGrads(
        () =>
          tf.sum(
            tf.mul(
              batchNormTraining(x, gamma, beta, 1e-5, () => {}),
              dy,
            ),
          ) as tf.Scalar,
        [x as tf.Variable, gamma as tf.Variable, beta as tf.Variable],
      ),
    );
    return Object.values(grads);
  };
}

function plain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, dy: tf.Tensor): () => tf.Tensor[] {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  return () => {
    const { grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        const { mean, variance } = tf.moments(x, axes);
        return tf.sum(tf.mul(tf.batchNorm(x, mean, variance, beta, gamma, 1e-5), dy)) as tf.Scalar;
      }, [x as tf.Variable, gamma as tf.Variable, beta as tf.Variable]),
    );
    return Object.values(grads);
  };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  console.log('| backend | shape | batchNormTraining (ms) | tf.moments + tf.batchNorm (ms) | speed-up |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    for (const shape of shapes) {
      const size = shape.reduce((a, b) => a * b, 1);
      if (backend === 'cpu' && size > 1e6) continue; // minutes per call on pure JS
      const c = shape[shape.length - 1];
      const x = tf.variable(tf.randomNormal(shape, 0.5, 2, 'float32', 1));
      const gamma = tf.variable(tf.randomUniform([c], 0.5, 1.5, 'float32', 2)) as tf.Variable<tf.Rank.R1>;
      const beta = tf.variable(tf.randomNormal([c], 0, 0.1, 'float32', 3)) as tf.Variable<tf.Rank.R1>;
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 4);
      const reps = size > 1e6 ? 3 : 6;
      const a = bestMs(ours(x, gamma, beta, dy), reps);
      const b = bestMs(plain(x, gamma, beta, dy), reps);
      console.log(`| ${backend} | [${shape}] | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(1)}x |`);
      tf.dispose([x, gamma, beta, dy]);
    }
  }
  console.log('');
  console.log(
    `Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} cores.`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
