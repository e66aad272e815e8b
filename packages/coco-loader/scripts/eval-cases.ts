import { Prng } from '../src/prng.js';

/** A generated evaluation case: a ground-truth instances document and a results list. */
export interface EvalCase {
  name: string;
  gt: { images: object[]; annotations: object[]; categories: object[] };
  dt: { image_id: number; category_id: number; bbox: number[]; score: number }[];
}

interface CaseSpec {
  name: string;
  seed: number;
  numImages: number;
  categoryIds: number[];
  /** Category ids that detections may use although the ground truth lacks them. */
  strayCategoryIds: number[];
  maxGtPerImage: number;
  crowdRate: number;
  emptyImageRate: number;
  /** Images with this many detections or more (beyond maxDets = 100). */
  floodImages: number;
  /** Scores rounded to this many steps to create ties (0: no rounding). */
  scoreSteps: number;
  /** Fraction of ground truth objects with the (inert) "ignore": 1 flag. */
  ignoreFlagRate: number;
  /** Give the first annotation id 0 (pycocotools treats a match to it as no match). */
  zeroGtId: boolean;
  /** Largest image side; small images leave the large area range empty (-1 cells). */
  maxImageSide: number;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

function makeCase(s: CaseSpec): EvalCase {
  const rng = new Prng(s.seed);
  const images: object[] = [];
  const annotations: object[] = [];
  const dt: EvalCase['dt'] = [];
  const categories = s.categoryIds.map((id) => ({ id, name: `c${id}`, supercategory: 'thing' }));
  let annId = s.zeroGtId ? 0 : 1;
  const pick = <T>(a: T[]): T => a[rng.int(a.length)];
  const score = (): number => {
    const v = rng.next();
    return s.scoreSteps ? Math.round(v * s.scoreSteps) / s.scoreSteps : Math.round(v * 1e6) / 1e6;
  };
  for (let i = 0; i < s.numImages; i++) {
    const W = Math.min(160 + rng.int(480), s.maxImageSide);
    const H = Math.min(160 + rng.int(480), s.maxImageSide);
    // non-sequential image ids, listed out of order
    const imageId = 1000 + ((i * 7919) % 10007);
    images.push({ id: imageId, width: W, height: H, file_name: `${imageId}.jpg` });
    const nGt = rng.next() < s.emptyImageRate ? 0 : 1 + rng.int(s.maxGtPerImage);
    const gts: { box: number[]; cat: number }[] = [];
    for (let j = 0; j < nGt; j++) {
      // sizes spread over small, medium and large, with some boxes on the area boundaries
      const kind = rng.int(10);
      let w: number;
      let h: number;
      if (kind === 0) [w, h] = [32, 32];
      else if (kind === 1 && s.maxImageSide > 100) [w, h] = [96, 96];
      else {
        const side = Math.exp(rng.uniform(Math.log(4), Math.log(Math.min(W, H) * 0.9)));
        w = r2(side * rng.uniform(0.5, 1.5));
        h = r2(side * rng.uniform(0.5, 1.5));
      }
      w = Math.min(w, W - 1);
      h = Math.min(h, H - 1);
      const x = r2(rng.uniform(0, W - w));
      const y = r2(rng.uniform(0, H - h));
      const cat = pick(s.categoryIds);
      const crowd = rng.next() < s.crowdRate ? 1 : 0;
      // the annotation area is the segment area in COCO: smaller than the box, sometimes the box
      const area = kind < 2 ? w * h : r2(w * h * rng.uniform(0.4, 1));
      const ann: Record<string, unknown> = {
        id: annId++,
        image_id: imageId,
        category_id: cat,
        bbox: [x, y, w, h],
        area,
        iscrowd: crowd,
        segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]],
      };
      if (rng.next() < s.ignoreFlagRate) ann.ignore = 1;
      annotations.push(ann);
      gts.push({ box: [x, y, w, h], cat });
    }
    if (rng.next() < s.emptyImageRate) continue; // an image without detections
    const flood = i < s.floodImages;
    for (const g of gts) {
      const n = flood ? 8 + rng.int(10) : rng.int(3);
      for (let d = 0; d < n; d++) {
        const [x, y, w, h] = g.box;
        const jit = rng.uniform(0, 0.35);
        const box = [
          r2(x + w * rng.uniform(-jit, jit)),
          r2(y + h * rng.uniform(-jit, jit)),
          r2(w * (1 + rng.uniform(-jit, jit))),
          r2(h * (1 + rng.uniform(-jit, jit))),
        ];
        // some detections carry the wrong class
        const cat = rng.next() < 0.15 ? pick(s.categoryIds) : g.cat;
        dt.push({ image_id: imageId, category_id: cat, bbox: box, score: score() });
        // exact duplicates
        if (rng.next() < 0.1)
          dt.push({ image_id: imageId, category_id: cat, bbox: [...box], score: score() });
      }
    }
    const nRandom = flood ? 120 + rng.int(60) : rng.int(4);
    for (let d = 0; d < nRandom; d++) {
      const w = r2(rng.uniform(2, W / 2));
      const h = r2(rng.uniform(2, H / 2));
      const cat =
        s.strayCategoryIds.length && rng.next() < 0.1 ? pick(s.strayCategoryIds) : pick(s.categoryIds);
      dt.push({
        image_id: imageId,
        category_id: cat,
        bbox: [r2(rng.uniform(0, W - w)), r2(rng.uniform(0, H - h)), w, h],
        score: score(),
      });
    }
  }
  // a detection with negative size, which pycocotools accepts (area < 0, never matched)
  if (dt.length) dt.push({ ...dt[0], bbox: [10, 10, -5, 8], score: 0.99 });
  // images listed in shuffled order
  rng.shuffle(images);
  return { name: s.name, gt: { images, annotations, categories }, dt };
}

const BASE: Omit<CaseSpec, 'name' | 'seed'> = {
  numImages: 40,
  categoryIds: [1, 3, 7, 12, 90],
  strayCategoryIds: [],
  maxGtPerImage: 8,
  crowdRate: 0.08,
  emptyImageRate: 0.15,
  floodImages: 2,
  scoreSteps: 0,
  ignoreFlagRate: 0.05,
  zeroGtId: false,
  maxImageSide: 10000,
};

/** The cases compared with pycocotools; deterministic, so the committed fixtures can be regenerated. */
export const EVAL_CASE_SPECS: CaseSpec[] = [
  { ...BASE, name: 'mixed', seed: 1 },
  { ...BASE, name: 'ties-and-strays', seed: 2, scoreSteps: 10, strayCategoryIds: [5, 200] },
  { ...BASE, name: 'crowds', seed: 3, crowdRate: 0.35, maxGtPerImage: 14, numImages: 25 },
  { ...BASE, name: 'flood', seed: 4, floodImages: 12, numImages: 15, scoreSteps: 50 },
  {
    ...BASE,
    name: 'sparse',
    seed: 5,
    emptyImageRate: 0.5,
    categoryIds: [2, 4, 6, 8, 10, 40, 41, 77],
    zeroGtId: true,
  },
  { ...BASE, name: 'no-large', seed: 7, maxImageSide: 90, crowdRate: 0.15 },
  { ...BASE, name: 'many-images', seed: 6, numImages: 300, maxGtPerImage: 5, floodImages: 3 },
];

/** Builds every case. */
export function makeEvalCases(): EvalCase[] {
  return EVAL_CASE_SPECS.map(makeCase);
}
