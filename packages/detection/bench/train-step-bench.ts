// One RetinaNet training step at COCO scale per rule, on wasm: ResNet-50-FPN, 91 classes, one 800x1088 image
// (torchvision's input for a 800x1067 COCO image padded to a multiple of 32), 6 boxes. Prints the step time,
// tfjs' peak tensor memory during the step and the process's peak RSS, and the parameter count.
// Run: npx tsx bench/train-step-bench.ts [rules...]   (default bp ss fa)
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { RetinaNet } from '../src/retinanet';
import { retinaNetLosses } from '../src/retinanet-loss';

const rules = process.argv.length > 2 ? process.argv.slice(2) : ['bp', 'ss', 'fa'];
await tf.setBackend('wasm');
const [H, W] = [800, 1088];
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
