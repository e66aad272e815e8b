import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { Prng } from './prng.js';

/** Fashion-MNIST class names, by label 0-9. */
export const FASHION_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** COCO category ids of the 10 classes: deliberately not contiguous, like COCO's, so the id mapping is exercised. */
export const FASHION_CATEGORY_IDS = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29];

/** Options of writeFashionMosaic. */
export interface FashionMosaicOptions {
  /** Raw 28x28 grayscale items, N*784 bytes (Fashion-MNIST's IDX payload). */
  images: Uint8Array;
  /** Label 0-9 per item. */
  labels: Uint8Array;
  outDir: string;
  numTrain?: number;
  numVal?: number;
  /** Side of the square canvases (default 128). */
  canvasSize?: number;
  seed?: number;
  minItems?: number;
  maxItems?: number;
  /** Range of an item's side relative to 28 pixels (default 0.75 to 2.5). */
  minScale?: number;
  maxScale?: number;
  jpegQuality?: number;
}

/** What writeFashionMosaic wrote. */
export interface FashionMosaicResult {
  trainPath: string;
  valPath: string;
  imageDir: string;
  numTrainObjects: number;
  numValObjects: number;
}

const ITEM = 28;

/** Bilinear resize of a 28x28 item to side x side (pixel centers aligned, as common resamplers do). */
function resizeItem(src: Uint8Array, off: number, side: number): Uint8Array {
  const out = new Uint8Array(side * side);
  const r = ITEM / side;
  for (let y = 0; y < side; y++) {
    const sy = Math.min(Math.max((y + 0.5) * r - 0.5, 0), ITEM - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, ITEM - 1);
    const fy = sy - y0;
    for (let x = 0; x < side; x++) {
      const sx = Math.min(Math.max((x + 0.5) * r - 0.5, 0), ITEM - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, ITEM - 1);
      const fx = sx - x0;
      const top = src[off + y0 * ITEM + x0] * (1 - fx) + src[off + y0 * ITEM + x1] * fx;
      const bot = src[off + y1 * ITEM + x0] * (1 - fx) + src[off + y1 * ITEM + x1] * fx;
      out[y * side + x] = Math.round(top * (1 - fy) + bot * fy);
    }
  }
  return out;
}

interface Placed {
  box: [number, number, number, number];
  area: number;
  label: number;
}

/** Draws one canvas: items at random scales and positions, no two boxes overlapping. */
function drawCanvas(
  rng: Prng,
  o: Required<Omit<FashionMosaicOptions, 'outDir'>>,
  itemLo: number,
  itemHi: number,
): { pixels: Uint8Array; objects: Placed[] } {
  const S = o.canvasSize;
  const pixels = new Uint8Array(S * S);
  const objects: Placed[] = [];
  const n = o.minItems + rng.int(o.maxItems - o.minItems + 1);
  for (let k = 0; k < n; k++) {
    const item = itemLo + rng.int(itemHi - itemLo);
    const side = Math.min(S, Math.max(4, Math.round(ITEM * rng.uniform(o.minScale, o.maxScale))));
    const scaled = resizeItem(o.images, item * ITEM * ITEM, side);
    // the box is the extent of the nonzero pixels, not the 28x28 frame
    let x0 = side;
    let y0 = side;
    let x1 = -1;
    let y1 = -1;
    let area = 0;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        if (scaled[y * side + x] > 0) {
          area++;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 < 0) continue; // a blank item
    for (let attempt = 0; attempt < 20; attempt++) {
      const px = rng.int(S - side + 1);
      const py = rng.int(S - side + 1);
      const box: [number, number, number, number] = [px + x0, py + y0, x1 - x0 + 1, y1 - y0 + 1];
      const overlaps = objects.some(
        ({ box: b }) =>
          box[0] < b[0] + b[2] && b[0] < box[0] + box[2] && box[1] < b[1] + b[3] && b[1] < box[1] + box[3],
      );
      if (overlaps) continue;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const v = scaled[y * side + x];
          const p = (py + y) * S + px + x;
          if (v > pixels[p]) pixels[p] = v;
        }
      }
      objects.push({ box, area, label: o.labels[item] });
      break;
    }
  }
  return { pixels, objects };
}

/**
 * Builds a small real-image detection set in COCO format from Fashion-MNIST items: canvases with a
 * few items each, boxes from each item's nonzero pixels, areas as nonzero pixel counts, grayscale
 * JPEGs in outDir/images, and outDir/instances_train.json and outDir/instances_val.json.
 * Train and val draw their items from disjoint parts of the input (first 80% / last 20%).
 */
export async function writeFashionMosaic(options: FashionMosaicOptions): Promise<FashionMosaicResult> {
  // per-field defaults, so that an explicit undefined (an unset CLI flag) also gets the default
  const o = {
    images: options.images,
    labels: options.labels,
    outDir: options.outDir,
    numTrain: options.numTrain ?? 1000,
    numVal: options.numVal ?? 200,
    canvasSize: options.canvasSize ?? 128,
    seed: options.seed ?? 0,
    minItems: options.minItems ?? 1,
    maxItems: options.maxItems ?? 4,
    minScale: options.minScale ?? 0.75,
    maxScale: options.maxScale ?? 2.5,
    jpegQuality: options.jpegQuality ?? 90,
  };
  const N = o.labels.length;
  if (o.images.length !== N * ITEM * ITEM) {
    throw new Error(`writeFashionMosaic: images has ${o.images.length} bytes, expected ${N} x 784`);
  }
  if (N < 2) throw new Error('writeFashionMosaic: needs at least 2 items');
  for (const l of o.labels) if (l > 9) throw new Error(`writeFashionMosaic: label ${l} is not in 0-9`);
  if (o.minItems < 0 || o.maxItems < o.minItems)
    throw new Error('writeFashionMosaic: need 0 <= minItems <= maxItems');
  const imageDir = join(o.outDir, 'images');
  await mkdir(imageDir, { recursive: true });
  const categories = FASHION_CATEGORY_IDS.map((id, l) => ({
    id,
    name: FASHION_CLASS_NAMES[l],
    supercategory: 'clothing',
  }));
  const split = Math.max(1, Math.floor(N * 0.8));
  const rng = new Prng(o.seed);
  let imageId = 1;
  let annId = 1;
  const counts: number[] = [];
  const paths: string[] = [];
  for (const [name, count, lo, hi] of [
    ['train', o.numTrain, 0, split],
    ['val', o.numVal, split, N],
  ] as const) {
    const images: object[] = [];
    const annotations: object[] = [];
    const writes: Promise<unknown>[] = [];
    for (let c = 0; c < count; c++) {
      const { pixels, objects } = drawCanvas(rng, o, lo, hi);
      const fileName = `${name}_${String(c).padStart(6, '0')}.jpg`;
      images.push({ id: imageId, file_name: fileName, width: o.canvasSize, height: o.canvasSize });
      for (const ob of objects) {
        const [x, y, w, h] = ob.box;
        annotations.push({
          id: annId++,
          image_id: imageId,
          category_id: FASHION_CATEGORY_IDS[ob.label],
          bbox: ob.box,
          area: ob.area,
          iscrowd: 0,
          segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]],
        });
      }
      imageId++;
      writes.push(
        sharp(pixels, { raw: { width: o.canvasSize, height: o.canvasSize, channels: 1 } })
          .toColourspace('b-w')
          .jpeg({ quality: o.jpegQuality })
          .toFile(join(imageDir, fileName)),
      );
      // bounded parallelism: encode a few canvases at a time
      if (writes.length >= 16) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    const path = join(o.outDir, `instances_${name}.json`);
    const doc = {
      info: { description: `Fashion-MNIST mosaic (${name})`, version: '1.0', seed: o.seed },
      licenses: [],
      images,
      annotations,
      categories,
    };
    await writeFile(path, JSON.stringify(doc));
    counts.push(annotations.length);
    paths.push(path);
  }
  return {
    trainPath: paths[0],
    valPath: paths[1],
    imageDir,
    numTrainObjects: counts[0],
    numValObjects: counts[1],
  };
}
