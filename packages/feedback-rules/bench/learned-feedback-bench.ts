/**
 * What rules that learn their feedback add to a training step: the weight mirror's phase (every rule layer
 * driven by its noise, `B = (1 - decay) (B + eta x^T x W)`) and Kolen-Pollack's update (one SGD step on B),
 * over the conv layers of a ResNet-18, in milliseconds per step. The mirror's cost depends only on the kernel
 * shapes and its noise batch (conv layers are mirrored on kernel-sized patches), not on the image size.
 *
 * Usage: tsx bench/learned-feedback-bench.ts [backend]   (default wasm)
 */
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AsymmetricConv2D } from '../src/layers/asymmetric-conv2d-layer';
import type { LayerFeedback } from '../src/layers/layer-feedback';

/** `[k, in, out]` of every conv of a ResNet-18 (the classifier is bp and learns nothing). */
function resnet18Convs(
  width: number,
  inChannels: number,
  stem: 'small' | 'imagenet',
): [number, number, number][] {
  const convs: [number, number, number][] = [[stem === 'small' ? 3 : 7, inChannels, width]];
  let cin = width;
  [width, 2 * width, 4 * width, 8 * width].forEach((c, i) => {
    for (let b = 0; b < 2; b++) {
      const inC = b === 0 ? cin : c;
      convs.push([3, inC, c], [3, c, c]);
      if (b === 0 && (i > 0 || inC !== c)) convs.push([1, inC, c]);
    }
    cin = c;
  });
  return convs;
}

function feedbackOf(rule: string, convs: [number, number, number][]): LayerFeedback[] {
  return convs.map(([k, cin, out], i) => {
    const layer = new AsymmetricConv2D({ filters: out, kernelSize: k, pad: 'same', rule, seed: i + 1 });
    layer.apply(tfl.input({ shape: [8, 8, cin] }));
    return layer.feedbackState!;
  });
}

/** Median milliseconds of `fn` (after a warm-up), syncing on `sync` so a lazy backend finishes its work. */
function median(fn: () => void, sync: () => tf.Tensor, runs = 9): number {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    fn();
    sync().dataSync();
    if (i > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const backend = process.argv[2] ?? 'wasm';
await tf.setBackend(backend);
console.log(`backend ${tf.getBackend()}`);
for (const [name, convs] of [
  ['fashion-mini ResNet-18 (width 16, small stem, 1 channel)', resnet18Convs(16, 1, 'small')],
  ['ImageNet ResNet-18 (width 64)', resnet18Convs(64, 3, 'imagenet')],
] as const) {
  const params = convs.reduce((a, [k, i, o]) => a + k * k * i * o, 0);
  const wm = feedbackOf('wm', convs);
  const mirror = median(
    () => tf.tidy(() => wm.forEach((fb) => fb.mirror())),
    () => wm[wm.length - 1].stateWeights.feedback.read(),
  );
  const kp = feedbackOf('kp', convs);
  const grads = kp.map((fb) => tf.randomNormal(fb.ctx.kernelShape, 0, 1e-3, 'float32', 1));
  const settings = {
    lr: 0.1,
    momentum: 0.9,
    weightDecay: 1e-4,
    batchManhattan: false,
    noSignChange: false,
    lowerBound: 1e-10,
  };
  const update = median(
    () => tf.tidy(() => kp.forEach((fb, i) => fb.update(grads[i], settings))),
    () => kp[kp.length - 1].stateWeights.feedback.read(),
  );
  console.log(
    `${name}: ${convs.length} rule layers, ${(params / 1e6).toFixed(2)} M weights: ` +
      `wm mirror phase (128 noise samples) ${mirror.toFixed(1)} ms/step, kp update ${update.toFixed(1)} ms/step`,
  );
}
