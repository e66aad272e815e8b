import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Prng } from '../src/prng.js';

/** Options of a generated COCO-like instances file. */
export interface SyntheticInstancesOptions {
  path: string;
  numImages: number;
  numAnnotations: number;
  seed?: number;
  /** Polygon vertices per annotation; COCO train averages roughly 25 (50 numbers). */
  polygonVertices?: number;
}

/** COCO's 80 category ids (1-90 with gaps). */
export const COCO_CATEGORY_IDS = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33,
  34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
  62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
];

/**
 * Writes an instances file with the structure and size of COCO's (info, licenses, images with
 * urls and dates, annotations with polygon or RLE segmentations), streamed to disk.
 */
export async function writeSyntheticInstances(opts: SyntheticInstancesOptions): Promise<number> {
  const rng = new Prng(opts.seed ?? 1);
  const verts = opts.polygonVertices ?? 25;
  const out = createWriteStream(opts.path);
  let bytes = 0;
  let buf = '';
  const write = async (s: string): Promise<void> => {
    buf += s;
    if (buf.length > 1 << 20) {
      bytes += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  await write(
    '{"info":{"description":"synthetic COCO-size instances","version":"1.0","year":2017},' +
      '"licenses":[{"url":"http://example.org/","id":1,"name":"synthetic"}],"images":[',
  );
  const widths = new Float64Array(opts.numImages);
  const heights = new Float64Array(opts.numImages);
  for (let i = 0; i < opts.numImages; i++) {
    const w = 320 + rng.int(321);
    const h = 240 + rng.int(401);
    widths[i] = w;
    heights[i] = h;
    const id = 9 + i * 7;
    const name = String(id).padStart(12, '0') + '.jpg';
    await write(
      (i ? ',' : '') +
        `{"license":1,"file_name":"${name}","coco_url":"http://images.cocodataset.org/train2017/${name}",` +
        `"height":${h},"width":${w},"date_captured":"2013-11-14 11:18:45","flickr_url":"http://farm.example/${name}","id":${id}}`,
    );
  }
  await write('],"annotations":[');
  for (let a = 0; a < opts.numAnnotations; a++) {
    // spread annotations over images so that every image but a few has some
    const img = a < opts.numImages - 1000 ? a : rng.int(opts.numImages - 1000);
    const W = widths[img];
    const H = heights[img];
    const bw = 2 + rng.next() * (W / 2);
    const bh = 2 + rng.next() * (H / 2);
    const x = rng.next() * (W - bw);
    const y = rng.next() * (H - bh);
    const crowd = rng.int(100) === 0;
    let seg: string;
    if (crowd) {
      const counts: number[] = [];
      for (let k = 0; k < 2 * verts; k++) counts.push(rng.int(500));
      seg = `{"counts":[${counts.join(',')}],"size":[${H},${W}]}`;
    } else {
      const pts: string[] = [];
      for (let k = 0; k < verts; k++) {
        pts.push((x + rng.next() * bw).toFixed(2), (y + rng.next() * bh).toFixed(2));
      }
      seg = `[[${pts.join(',')}]]`;
    }
    const cat = COCO_CATEGORY_IDS[rng.int(80)];
    await write(
      (a ? ',' : '') +
        `{"segmentation":${seg},"area":${(bw * bh * 0.6).toFixed(4)},"iscrowd":${crowd ? 1 : 0},` +
        `"image_id":${9 + img * 7},"bbox":[${x.toFixed(2)},${y.toFixed(2)},${bw.toFixed(2)},${bh.toFixed(2)}],` +
        `"category_id":${cat},"id":${100000 + a}}`,
    );
  }
  await write('],"categories":[');
  COCO_CATEGORY_IDS.forEach((id, k) => {
    buf += `${k ? ',' : ''}{"supercategory":"thing","id":${id},"name":"class${id}"}`;
  });
  buf += ']}';
  bytes += buf.length;
  out.end(buf);
  await once(out, 'finish');
  return bytes;
}
