// Throughput of the sharp transforms on 500x375 JPEGs (quality 90), the typical ImageNet image size.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  type ArrayAugmentation,
  ArrayLoader,
  FASHION_MNIST_AUGMENTATION,
  FASHION_MNIST_REFERENCE_AUGMENTATION,
} from '../src/array-loader.js';
import { ImageFolderLoader } from '../src/batch-loader.js';
import { ConcurrencyLimiter } from '../src/concurrency-limiter.js';
import { evalTransform, resolveTransformOptions, trainTransform } from '../src/image-transform.js';
import { indexImageFolder } from '../src/imagefolder-index.js';
import { createRng, deriveSeed } from '../src/prng.js';
import { fixturePixels, makeTempDir } from '../src/test-fixtures.js';

const COUNT = Number(process.env.BENCH_IMAGES ?? 240);
const cores = availableParallelism();

async function makeImages(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const path = join(dir, `c${i % 4}`, `img${i}.JPEG`);
    await mkdir(join(dir, `c${i % 4}`), { recursive: true });
    const pixels = fixturePixels(500, 375, 3, i);
    await writeFile(
      path,
      await sharp(pixels, { raw: { width: 500, height: 375, channels: 3 } })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    paths.push(path);
  }
  return paths;
}

interface Rate {
  perSecond: number;
  cpuMsPerImage: number;
}

/** Wall-clock rate, and process CPU time per image (all threads) which shows the cost on a busy machine. */
async function measure(count: number, run: () => Promise<unknown>): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: count / seconds, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / count };
}

async function timeTransform(paths: string[], mode: 'train' | 'eval', concurrency: number): Promise<Rate> {
  sharp.concurrency(Math.max(1, Math.floor(cores / concurrency)));
  const opts = resolveTransformOptions();
  const per = 224 * 224 * 3;
  const out = new Float32Array(concurrency * per);
  const limiter = new ConcurrencyLimiter(concurrency);
  let slot = 0;
  const run = () =>
    Promise.all(
      paths.map((path, i) =>
        limiter.run(async () => {
          const offset = (slot++ % concurrency) * per;
          const bytes = await readFile(path);
          if (mode === 'train')
            await trainTransform(bytes, createRng(deriveSeed(1, 0, i)), out, offset, opts);
          else await evalTransform(bytes, out, offset, opts);
        }),
      ),
    );
  await run(); // warm-up: file cache, libvips caches, JIT
  return measure(paths.length, run);
}

async function timeLoader(dir: string): Promise<Rate> {
  const split = await indexImageFolder(dir);
  const loader = new ImageFolderLoader(split, { mode: 'train', batchSize: 32, seed: 1 });
  for await (const _ of loader.epoch(0)) {
    // warm-up epoch
  }
  return measure(split.files.length, async () => {
    for await (const _ of loader.epoch(1)) {
      // consume
    }
  });
}

/** ArrayLoader over 60000 28x28 images (the Fashion-MNIST training set's size), batch 128. */
async function timeArrayLoader(augmentation: ArrayAugmentation): Promise<Rate> {
  const count = 60000;
  const images = fixturePixels(28, 28 * count, 1, 7);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  const data = { images, labels, count, height: 28, width: 28, channels: 1 };
  const loader = new ArrayLoader(data, { batchSize: 128, seed: 1, augmentation });
  for (const _ of loader.epoch(0)) {
    // warm-up epoch
  }
  return measure(count, async () => {
    for (const _ of loader.epoch(1)) {
      // consume
    }
  });
}

const dir = await makeTempDir('bench');
try {
  const paths = await makeImages(dir);
  sharp.cache(false);
  const rows: Array<[string, number, Rate]> = [
    ['train (RandomResizedCrop 224 + flip)', 1, await timeTransform(paths, 'train', 1)],
    ['train (RandomResizedCrop 224 + flip)', cores, await timeTransform(paths, 'train', cores)],
    ['eval (resize 256 + center crop 224)', 1, await timeTransform(paths, 'eval', 1)],
    ['eval (resize 256 + center crop 224)', cores, await timeTransform(paths, 'eval', cores)],
    ['ImageFolderLoader train, batch 32', cores, await timeLoader(dir)],
  ];
  const arrayRows: Array<[string, Rate]> = [
    ['torchvision (per-image crop, black padding)', await timeArrayLoader(FASHION_MNIST_AUGMENTATION)],
    [
      'reference scripts (per-batch crop, zero padding)',
      await timeArrayLoader(FASHION_MNIST_REFERENCE_AUGMENTATION),
    ],
  ];
  console.log(
    `${COUNT} JPEGs 500x375 q90, ${cores} cores, sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}`,
  );
  console.log('| transform | in-flight decodes | images/s | CPU ms/image |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, conc, rate] of rows) {
    console.log(`| ${name} | ${conc} | ${rate.perSecond.toFixed(0)} | ${rate.cpuMsPerImage.toFixed(2)} |`);
  }
  console.log('\nArrayLoader, 60000 28x28 images, batch 128, crop 28 pad 2 + flip');
  console.log('| augmentation | images/s | CPU ms/image |');
  console.log('| --- | ---: | ---: |');
  for (const [name, rate] of arrayRows) {
    console.log(`| ${name} | ${rate.perSecond.toFixed(0)} | ${rate.cpuMsPerImage.toFixed(4)} |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
