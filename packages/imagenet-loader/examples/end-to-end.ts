// Fashion-MNIST -> ImageNet-style PNG tree -> index -> augmented batches, then the fast in-memory path.
// Run: npx tsx examples/end-to-end.ts [fashion-mnist dir] (default: Debian's dataset-fashion-mnist)
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArrayLoader,
  DEBIAN_FASHION_MNIST_DIR,
  exportImageFolder,
  FASHION_MNIST_AUGMENTATION,
  FASHION_MNIST_CLASSES,
  ImageFolderLoader,
  indexImageNet,
  loadMnistSplit,
} from '../src/index.js'; // the public API, as a user sees it

const dir = process.argv[2] ?? DEBIAN_FASHION_MNIST_DIR;
const train = await loadMnistSplit(dir, 'train');
const test = await loadMnistSplit(dir, 'test');
console.log(
  `Fashion-MNIST: ${train.count} train, ${test.count} test images of ${train.height}x${train.width}`,
);

// 1. Write 500 images per split as <out>/{train,val}/<id>_<name>/<n>.png.
const out = await mkdtemp(join(tmpdir(), 'fashion-imagefolder-'));
await exportImageFolder({ train, val: test }, out, { classNames: FASHION_MNIST_CLASSES, limit: 500 });

// 2. Index it like ILSVRC-2012 (cached, so a restart skips the walk) and stream augmented batches.
const index = await indexImageNet(out, { cacheFile: join(out, 'index-cache.json') });
console.log(`indexed ${index.train.files.length} train / ${index.val?.files.length} val files in ${out}`);
console.log('classes:', index.classes.join(' '));
const loader = new ImageFolderLoader(index.train, {
  mode: 'train',
  batchSize: 64,
  cropSize: 24,
  resizeSize: 28,
  seed: 1,
  dropLast: true,
});
for await (const batch of loader.epoch(0, { startBatch: 5 })) {
  console.log(`image batch [${batch.shape}] first labels ${[...batch.labels.subarray(0, 8)]}`);
}

// 3. The in-memory path for training loops: same sampling semantics, thousands of images/s.
const fast = new ArrayLoader(train, { batchSize: 128, seed: 1, augmentation: FASHION_MNIST_AUGMENTATION });
const t0 = performance.now();
let n = 0;
for (const batch of fast.epoch(0)) n += batch.shape[0];
console.log(`ArrayLoader: ${n} augmented images in ${(performance.now() - t0).toFixed(0)} ms`);
