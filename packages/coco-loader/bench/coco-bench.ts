// npm run bench: loads a COCO-train-size instances file and evaluates 5,000 images x 100 detections.
// Set COCOAPI_PYTHONPATH to a built cocoapi/PythonAPI to time pycocotools on the same files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInstances } from '../src/instances-reader.js';
import { writeSyntheticInstances } from './synthetic-instances.js';
import { writeSyntheticResults } from './synthetic-results.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.env.COCO_BENCH_DIR ?? join(tmpdir(), 'coco-loader-bench');
mkdirSync(dir, { recursive: true });
const train = join(dir, 'instances_train_synthetic.json');
const val = join(dir, 'instances_val_synthetic.json');
const results = join(dir, 'results_val_synthetic.json');

if (!existsSync(train)) {
  console.log('generating a COCO-train-size instances file (118,287 images, 860,001 annotations) ...');
  await writeSyntheticInstances({ path: train, numImages: 118287, numAnnotations: 860001, seed: 1 });
}
if (!existsSync(val) || !existsSync(results)) {
  console.log('generating a val-size instances file (5,000 images) and 500,000 detections ...');
  await writeSyntheticInstances({ path: val, numImages: 5000, numAnnotations: 36781, seed: 2 });
  await writeSyntheticResults(results, await readInstances(val), 100);
}

// biome-ignore lint/suspicious/noExplicitAny: JSON from the worker
const measure = (...args: string[]): Record<string, any> =>
  JSON.parse(
    execFileSync(
      process.execPath,
      ['--max-old-space-size=4096', '--import', 'tsx', join(here, 'measure-worker.ts'), ...args],
      {
        encoding: 'utf8',
      },
    ),
  );

const mb = (p: string): string => `${(statSync(p).size / 1e6).toFixed(0)} MB`;
const load = measure('load', train);
const evaluation = measure('eval', val, results);
const rows: [string, string, string][] = [
  [
    'load instances (streamed)',
    `${load.images} images, ${load.annotations} anns, ${mb(train)}`,
    `${load.seconds.toFixed(1)} s, peak RSS ${load.maxRssMB.toFixed(0)} MB`,
  ],
  [
    'coco-eval (ours)',
    `5000 images, ${mb(results)} of results`,
    `${evaluation.seconds.toFixed(1)} s total (read gt ${evaluation.readGtSeconds.toFixed(1)}, read dt ${evaluation.readDtSeconds.toFixed(1)}, evaluate ${evaluation.evalSeconds.toFixed(1)}), peak RSS ${evaluation.maxRssMB.toFixed(0)} MB, AP ${evaluation.AP.toFixed(4)}`,
  ],
];
if (process.env.COCOAPI_PYTHONPATH) {
  const out = execFileSync(
    '/usr/bin/python3',
    [join(here, '..', 'scripts', 'time_pycocotools.py'), val, results],
    {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: process.env.COCOAPI_PYTHONPATH },
    },
  );
  const py = JSON.parse(out.trim().split('\n').pop()!);
  const diff = Math.max(...(py.stats as number[]).map((v, i) => Math.abs(v - evaluation.stats[i])));
  rows.push([
    'coco-eval (pycocotools)',
    'same files',
    `${py.seconds.toFixed(1)} s total (evaluate+accumulate ${py.evalSeconds.toFixed(1)}), AP ${py.AP.toFixed(4)}, largest difference of the 12 numbers ${diff.toExponential(1)}`,
  ]);
}
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`| ${'task'.padEnd(w0)} | ${'input'.padEnd(w1)} | result`);
console.log(`| ${'-'.repeat(w0)} | ${'-'.repeat(w1)} | ------`);
for (const [a, b, c] of rows) console.log(`| ${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c}`);
