import { writeFile } from 'node:fs/promises';
import type { CocoInstances } from '../src/coco-instances.js';
import { Prng } from '../src/prng.js';

/**
 * Writes a results file with `perImage` detections on every image of a ground truth: about a third
 * jittered copies of its objects (so matching does real work), the rest random boxes and classes.
 */
export async function writeSyntheticResults(
  path: string,
  gt: CocoInstances,
  perImage = 100,
  seed = 2,
): Promise<number> {
  const rng = new Prng(seed);
  const parts: string[] = [];
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  let n = 0;
  for (let i = 0; i < gt.numImages; i++) {
    const W = gt.images.widths[i];
    const H = gt.images.heights[i];
    const anns = gt.annotationsOfImage(i);
    for (let d = 0; d < perImage; d++) {
      let box: number[];
      let cat: number;
      if (anns.length && d < perImage / 3) {
        const a = anns[d % anns.length];
        const [x, y, w, h] = gt.annotations.bboxes.subarray(a * 4, a * 4 + 4);
        const j = rng.uniform(0, 0.3);
        box = [
          x + w * rng.uniform(-j, j),
          y + h * rng.uniform(-j, j),
          w * (1 + rng.uniform(-j, j)),
          h * (1 + rng.uniform(-j, j)),
        ];
        cat = rng.next() < 0.8 ? gt.annotations.categoryIndex[a] : rng.int(gt.categories.size);
      } else {
        const w = rng.uniform(4, W / 2);
        const h = rng.uniform(4, H / 2);
        box = [rng.uniform(0, W - w), rng.uniform(0, H - h), w, h];
        cat = rng.int(gt.categories.size);
      }
      parts.push(
        `{"image_id":${gt.images.ids[i]},"category_id":${gt.categories.idOf(cat)},"bbox":[${box.map(r2).join(',')}],"score":${Math.round(rng.next() * 1e5) / 1e5}}`,
      );
      n++;
    }
  }
  await writeFile(path, `[${parts.join(',')}]`);
  return n;
}
