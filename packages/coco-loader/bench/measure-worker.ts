// Runs one measured task in a fresh process so that time and peak memory are its own; prints JSON.
import { evaluateBbox } from '../src/coco-eval.js';
import { readResults } from '../src/detection-results.js';
import { readInstances } from '../src/instances-reader.js';

const [task, a, b] = process.argv.slice(2);
const t0 = performance.now();
let extra: Record<string, number | number[]> = {};
if (task === 'load') {
  const inst = await readInstances(a);
  extra = { images: inst.numImages, annotations: inst.numAnnotations };
} else if (task === 'eval') {
  const gt = await readInstances(a);
  const tRead = performance.now();
  const dt = await readResults(b, gt);
  const tRes = performance.now();
  const r = evaluateBbox(gt, dt);
  extra = {
    stats: r.stats,
    readGtSeconds: (tRead - t0) / 1000,
    readDtSeconds: (tRes - tRead) / 1000,
    evalSeconds: (performance.now() - tRes) / 1000,
    AP: r.stats[0],
  };
} else {
  throw new Error(`unknown task ${task}`);
}
const seconds = (performance.now() - t0) / 1000;
// maxRSS is in kilobytes
console.log(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, ...extra }));
