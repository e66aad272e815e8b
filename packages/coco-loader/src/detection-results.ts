import { readFile, stat } from 'node:fs/promises';
import { CocoFormatError } from './coco-format-error.js';
import type { CocoInstances } from './coco-instances.js';
import { streamJsonElements } from './json-element-stream.js';
import { explainParseError } from './json-syntax-locator.js';

/** One detection in COCO's results format. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/**
 * Detections loaded against a ground truth, as pycocotools' loadRes makes them: area = w*h,
 * id = position in the file + 1, never crowd. Detections of a category the ground truth does not
 * have are counted and left out (COCOeval never looks at them).
 */
export interface DetectionResults {
  file: string;
  /** Index of the detection's image in the ground truth. */
  imageIndex: Int32Array;
  /** Contiguous category index in the ground truth's CategoryMap. */
  categoryIndex: Int32Array;
  /** [x, y, w, h] per detection. */
  bboxes: Float64Array;
  scores: Float64Array;
  areas: Float64Array;
  ids: Float64Array;
  /** Detections dropped because their category_id is not in the ground truth. */
  unknownCategory: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Accumulates validated detections. */
class ResultsBuilder {
  imageIndex: number[] = [];
  categoryIndex: number[] = [];
  bboxes: number[] = [];
  scores: number[] = [];
  ids: number[] = [];
  unknownCategory = 0;

  constructor(
    readonly file: string,
    readonly gt: CocoInstances,
  ) {}

  add(i: number, v: unknown): void {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new CocoFormatError(this.file, `result [${i}] is not an object`);
    }
    const { image_id: imageId, category_id: categoryId, bbox, score } = v as Record<string, unknown>;
    if (!isNum(imageId) || !isNum(categoryId)) {
      throw new CocoFormatError(this.file, `result [${i}] needs numeric "image_id" and "category_id"`);
    }
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isNum)) {
      throw new CocoFormatError(this.file, `result [${i}] needs "bbox": [x, y, w, h] of 4 finite numbers`);
    }
    if (!isNum(score)) throw new CocoFormatError(this.file, `result [${i}] needs a finite numeric "score"`);
    const img = this.gt.imageIndexOf(imageId);
    if (img < 0) {
      // pycocotools asserts the same: "Results do not correspond to current coco set"
      throw new CocoFormatError(
        this.file,
        `result [${i}] has image_id ${imageId}, which is not in ${this.gt.file}`,
      );
    }
    const cat = this.gt.categories.indexOf(categoryId);
    if (cat < 0) {
      this.unknownCategory++;
      return;
    }
    this.imageIndex.push(img);
    this.categoryIndex.push(cat);
    this.bboxes.push(bbox[0], bbox[1], bbox[2], bbox[3]);
    this.scores.push(score);
    this.ids.push(i + 1);
  }

  finish(): DetectionResults {
    const n = this.scores.length;
    const bboxes = Float64Array.from(this.bboxes);
    const areas = new Float64Array(n);
    for (let d = 0; d < n; d++) areas[d] = bboxes[d * 4 + 2] * bboxes[d * 4 + 3];
    return {
      file: this.file,
      imageIndex: Int32Array.from(this.imageIndex),
      categoryIndex: Int32Array.from(this.categoryIndex),
      bboxes,
      scores: Float64Array.from(this.scores),
      areas,
      ids: Float64Array.from(this.ids),
      unknownCategory: this.unknownCategory,
    };
  }
}

/** Loads detections from an in-memory results array against a ground truth. */
export function resultsFromJson(list: unknown, gt: CocoInstances, file = '<memory>'): DetectionResults {
  if (!Array.isArray(list)) throw new CocoFormatError(file, 'results must be a JSON array of detections');
  const b = new ResultsBuilder(file, gt);
  for (let i = 0; i < list.length; i++) b.add(i, list[i]);
  return b.finish();
}

/** Reads a results file (`[{image_id, category_id, bbox, score}]`), streaming it when large. */
export async function readResults(
  path: string,
  gt: CocoInstances,
  fastPathBytes = 64 << 20,
): Promise<DetectionResults> {
  try {
    if ((await stat(path)).size <= fastPathBytes) {
      return resultsFromJson(JSON.parse(await readFile(path, 'utf8')), gt, path);
    }
    const b = new ResultsBuilder(path, gt);
    await streamJsonElements(path, new Set(), {
      element: (_key, i, v) => b.add(i, v),
      value: () => {
        throw new CocoFormatError(path, 'results must be a JSON array of detections');
      },
    });
    return b.finish();
  } catch (err) {
    throw await explainParseError(path, err);
  }
}
