import { readFile, stat } from 'node:fs/promises';
import { CategoryMap, type CocoCategory } from './category-map.js';
import { CocoFormatError } from './coco-format-error.js';
import { CocoInstances, type SkipCounts } from './coco-instances.js';
import { streamJsonElements } from './json-element-stream.js';
import { explainParseError } from './json-syntax-locator.js';

/** Options of readInstances. */
export interface ReadInstancesOptions {
  /** What to do with an annotation of an unknown image or category or with a bad box: fail (default) or skip and count. */
  onInvalid?: 'error' | 'skip';
  /** Files up to this many bytes are read with one JSON.parse (default 64 MB); larger ones are streamed. */
  fastPathBytes?: number;
}

type Obj = Record<string, unknown>;

const STREAMED = new Set(['images', 'annotations', 'categories']);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Collects the records of an instances file into growable arrays, validating each as it arrives. */
class InstancesBuilder {
  imageIds: number[] = [];
  widths: number[] = [];
  heights: number[] = [];
  fileNames: string[] = [];
  annIds: number[] = [];
  annImageIds: number[] = [];
  annCategoryIds: number[] = [];
  bboxes: number[] = [];
  areas: number[] = [];
  crowd: number[] = [];
  categories: CocoCategory[] | null = null;
  sawImages = false;
  skipped: SkipCounts = { unknownImage: 0, unknownCategory: 0, negativeSize: 0, badBbox: 0 };

  constructor(
    readonly file: string,
    readonly skip: boolean,
  ) {}

  fail(msg: string): never {
    throw new CocoFormatError(this.file, msg);
  }

  image(i: number, v: unknown): void {
    if (!isObj(v)) this.fail(`images[${i}] is not an object`);
    const { id, width, height, file_name: fileName } = v;
    if (!isNum(id)) this.fail(`images[${i}] has no numeric "id"`);
    if (!isNum(width) || !isNum(height) || width <= 0 || height <= 0) {
      this.fail(`image ${id} (images[${i}]) needs positive "width" and "height"`);
    }
    this.imageIds.push(id);
    this.widths.push(width);
    this.heights.push(height);
    this.fileNames.push(typeof fileName === 'string' ? fileName : '');
  }

  annotation(i: number, v: unknown): void {
    if (!isObj(v)) this.fail(`annotations[${i}] is not an object`);
    const { id, image_id: imageId, category_id: categoryId, bbox, area, iscrowd } = v;
    if (!isNum(id)) this.fail(`annotations[${i}] has no numeric "id"`);
    if (!isNum(imageId)) this.fail(`annotation ${id} has no numeric "image_id"`);
    if (!isNum(categoryId)) this.fail(`annotation ${id} has no numeric "category_id"`);
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isNum)) {
      if (this.skip) {
        this.skipped.badBbox++;
        return;
      }
      this.fail(`annotation ${id} needs "bbox": [x, y, w, h] of 4 finite numbers`);
    }
    const [x, y, w, h] = bbox as number[];
    if (w < 0 || h < 0) {
      if (this.skip) {
        this.skipped.negativeSize++;
        return;
      }
      this.fail(`annotation ${id} has a negative box size (w=${w}, h=${h})`);
    }
    this.annIds.push(id);
    this.annImageIds.push(imageId);
    this.annCategoryIds.push(categoryId);
    this.bboxes.push(x, y, w, h);
    this.areas.push(isNum(area) ? area : w * h);
    this.crowd.push(iscrowd === 1 || iscrowd === true ? 1 : 0);
  }

  category(i: number, v: unknown): void {
    if (!isObj(v) || !isNum(v.id)) this.fail(`categories[${i}] needs a numeric "id"`);
    this.categories ??= [];
    this.categories.push({
      id: v.id,
      name: typeof v.name === 'string' ? v.name : String(v.id),
      ...(typeof v.supercategory === 'string' ? { supercategory: v.supercategory } : {}),
    });
  }

  finish(): CocoInstances {
    if (!this.sawImages) this.fail('has no "images" array');
    if (this.categories === null) this.fail('has no "categories" array');
    let categories: CategoryMap;
    try {
      categories = new CategoryMap(this.categories);
    } catch (err) {
      this.fail((err as Error).message);
    }
    const nImg = this.imageIds.length;
    const imageIndex = new Map<number, number>();
    for (let i = 0; i < nImg; i++) {
      if (imageIndex.has(this.imageIds[i])) this.fail(`image id ${this.imageIds[i]} appears twice`);
      imageIndex.set(this.imageIds[i], i);
    }
    const n = this.annIds.length;
    const keep = new Uint8Array(n);
    const annImage = new Int32Array(n);
    const annCat = new Int32Array(n);
    const seen = new Set<number>();
    let kept = 0;
    for (let a = 0; a < n; a++) {
      const id = this.annIds[a];
      // duplicate ids would make evaluation ambiguous (pycocotools silently keeps the last)
      if (seen.has(id)) this.fail(`annotation id ${id} appears twice`);
      seen.add(id);
      const img = imageIndex.get(this.annImageIds[a]);
      const cat = categories.indexOf(this.annCategoryIds[a]);
      if (img === undefined) {
        if (!this.skip) this.fail(`annotation ${id} refers to unknown image_id ${this.annImageIds[a]}`);
        this.skipped.unknownImage++;
        continue;
      }
      if (cat < 0) {
        if (!this.skip) this.fail(`annotation ${id} refers to unknown category_id ${this.annCategoryIds[a]}`);
        this.skipped.unknownCategory++;
        continue;
      }
      keep[a] = 1;
      annImage[a] = img;
      annCat[a] = cat;
      kept++;
    }
    const ids = new Float64Array(kept);
    const imageIdx = new Int32Array(kept);
    const catIdx = new Int32Array(kept);
    const bboxes = new Float64Array(kept * 4);
    const areas = new Float64Array(kept);
    const iscrowd = new Uint8Array(kept);
    for (let a = 0, j = 0; a < n; a++) {
      if (!keep[a]) continue;
      ids[j] = this.annIds[a];
      imageIdx[j] = annImage[a];
      catIdx[j] = annCat[a];
      for (let c = 0; c < 4; c++) bboxes[j * 4 + c] = this.bboxes[a * 4 + c];
      areas[j] = this.areas[a];
      iscrowd[j] = this.crowd[a];
      j++;
    }
    return new CocoInstances(
      this.file,
      {
        ids: Float64Array.from(this.imageIds),
        widths: Float64Array.from(this.widths),
        heights: Float64Array.from(this.heights),
        fileNames: this.fileNames,
      },
      { ids, imageIndex: imageIdx, categoryIndex: catIdx, bboxes, areas, iscrowd },
      categories,
      this.skipped,
    );
  }

  document(doc: unknown): void {
    if (!isObj(doc)) this.fail('is not a JSON object (expected a COCO instances file)');
    for (const key of STREAMED) if (key in doc) this.arrayOf(key, doc[key]);
  }

  arrayOf(key: string, v: unknown): void {
    if (key === 'images') this.sawImages = true;
    if (!Array.isArray(v)) this.fail(`"${key}" is not an array`);
    for (let i = 0; i < v.length; i++) this.element(key, i, v[i]);
  }

  element(key: string, i: number, v: unknown): void {
    if (key === 'images') {
      this.sawImages = true;
      this.image(i, v);
    } else if (key === 'annotations') this.annotation(i, v);
    else if (key === 'categories') this.category(i, v);
  }
}

/**
 * Reads a COCO instances file into typed arrays indexed by image and category. Files of any size
 * are streamed (instances_train2017.json is beyond one JSON.parse); small ones take one JSON.parse.
 * Errors name the file; a syntax error names line, column and offset.
 */
export async function readInstances(
  path: string,
  options: ReadInstancesOptions = {},
): Promise<CocoInstances> {
  const builder = new InstancesBuilder(path, options.onInvalid === 'skip');
  const size = (await stat(path)).size;
  try {
    if (size <= (options.fastPathBytes ?? 64 << 20)) {
      builder.document(JSON.parse(await readFile(path, 'utf8')));
    } else {
      await streamJsonElements(path, STREAMED, {
        element: (key, i, v) => builder.element(key, i, v),
        value: (key, v) => {
          if (STREAMED.has(key)) builder.arrayOf(key, v);
        },
      });
    }
  } catch (err) {
    throw await explainParseError(path, err);
  }
  return builder.finish();
}

/** Builds the instances from an already parsed document (tests, generated sets). */
export function instancesFromJson(
  doc: unknown,
  file = '<memory>',
  options: ReadInstancesOptions = {},
): CocoInstances {
  const builder = new InstancesBuilder(file, options.onInvalid === 'skip');
  builder.document(doc);
  return builder.finish();
}
