// One RetinaNet training step at COCO scale per rule, on wasm: ResNet-50-FPN, 91 classes, one 800x1088 image
// (torchvision's input for a 800x1067 COCO image padded to a multiple of 32), 6 boxes. Prints the step time,
// tfjs' peak tensor memory during the step and the process's peak RSS, and the parameter count.
// Run: npx tsx bench/train-step-bench.ts [--backend wasm|cpu] [--size 800x1088] [rules...]   (default bp ss fa)
// wasm is a 32-bit address space (4 GB at most): one ResNet-50-FPN training step peaks at 2.1 GB of tensors at
// 256x352 and 3.6 GB at 384x512, and from 512x704 on the module aborts (out of memory), 800x1088 included.
// `npm run bench` therefore runs 384x512.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { RetinaNet } from '../src/retinanet';
import { retinaNetLosses } from '../src/retinanet-loss';

const { values, positionals } = parseArgs({
  options: { backend: { type: 'string', default: 'wasm' }, size: { type: 'string', default: '800x1088' } },
  allowPositionals: true,
});
const rules = positionals.length ? positionals : ['bp', 'ss', 'fa'];
await tf.setBackend(values.backend!);
const [H, W] = values.size!.split('x').map(Number);
if (!(H % 32 === 0 && W % 32 === 0))
  throw new Error(`--size must be HxW, multiples of 32, got ${values.size}`);
const targets = [
  {
    boxes: Float32Array.of(
      10,
      20,
      300,
      400,
      500,
      100,
      900,
      700,
      50,
      600,
      200,
      790,
      700,
      500,
      760,
      560,
      0,
      0,
      1080,
      790,
      400,
      300,
      450,
      420,
    ),
    labels: Int32Array.of(0, 17, 42, 3, 90, 55),
  },
];
console.log(`backend ${tf.getBackend()}, input 1x${H}x${W}x3, ResNet-50-FPN, 91 classes`);
console.log('| rule | parameters | step (s) | tfjs peak (MB) | process peak RSS (MB) |');
console.log('| --- | --- | --- | --- | --- |');
for (const rule of rules) {
  const net = new RetinaNet({ classes: 91, depth: 50, rule, seed: 0 });
  const params = net.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const count = net.model.trainableWeights.reduce(
    (a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 0), 1),
    0,
  );
  const x = tf.randomNormal([1, H, W, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const { anchors } = net.anchorsFor(H, W);
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const { classLogits, boxDeltas } = net.apply(x, true);
        const l = retinaNetLosses(classLogits, boxDeltas, anchors, targets);
        return tf.add(l.classification, l.boxRegression) as tf.Scalar;
      }, params);
      // A plain SGD update, so the step includes writing every weight.
      for (const p of params) p.assign(tf.sub(p, tf.mul(0.01, grads[p.name])));
    });
  step(); // warm-up: builds kernels and the wasm memory
  const t0 = performance.now();
  const profile = await tf.profile(step);
  const seconds = (performance.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(
    `| ${rule} | ${count.toLocaleString('en-US')} | ${seconds.toFixed(1)} | ${(profile.peakBytes / 2 ** 20).toFixed(0)} | ${rss.toFixed(0)} |`,
  );
  x.dispose();
  net.model.dispose();
}
