import type { CategoryMap } from './category-map.js';

/** Images of an instances file, as parallel arrays (index i is the i-th image of the file). */
export interface CocoImages {
  ids: Float64Array;
  widths: Float64Array;
  heights: Float64Array;
  fileNames: string[];
}

/**
 * Annotations as parallel typed arrays: about 60 bytes per annotation instead of the ~1 KB of a
 * parsed object with its polygon, so COCO train (860k annotations) fits in ~50 MB.
 */
export interface CocoAnnotations {
  ids: Float64Array;
  /** Index into the images arrays. */
  imageIndex: Int32Array;
  /** Contiguous category index (see CategoryMap). */
  categoryIndex: Int32Array;
  /** [x, y, w, h] per annotation, as in the file. */
  bboxes: Float64Array;
  /** The annotation's `area` (segment area in COCO), w*h when the file has none. */
  areas: Float64Array;
  iscrowd: Uint8Array;
}

/** Counts of what the reader left out instead of failing (only with `onInvalid: 'skip'`). */
export interface SkipCounts {
  unknownImage: number;
  unknownCategory: number;
  negativeSize: number;
  badBbox: number;
}

/** A loaded instances file with indexes by image and by category (CSR lists of annotation indices). */
export class CocoInstances {
  /** Index of an image id in the images arrays. */
  private readonly imageIndexById: Map<number, number>;
  private readonly imageStart: Int32Array;
  private readonly imageList: Int32Array;
  private readonly categoryStart: Int32Array;
  private readonly categoryList: Int32Array;

  /** Builds the indexes; annotations keep their file order within each image and category. */
  constructor(
    readonly file: string,
    readonly images: CocoImages,
    readonly annotations: CocoAnnotations,
    readonly categories: CategoryMap,
    readonly skipped: SkipCounts,
  ) {
    const nImg = images.ids.length;
    this.imageIndexById = new Map();
    for (let i = 0; i < nImg; i++) this.imageIndexById.set(images.ids[i], i);
    [this.imageStart, this.imageList] = csr(annotations.imageIndex, nImg);
    [this.categoryStart, this.categoryList] = csr(annotations.categoryIndex, categories.size);
  }

  /** Number of images. */
  get numImages(): number {
    return this.images.ids.length;
  }

  /** Number of annotations. */
  get numAnnotations(): number {
    return this.annotations.ids.length;
  }

  /** Index of an image id, or -1. */
  imageIndexOf(imageId: number): number {
    return this.imageIndexById.get(imageId) ?? -1;
  }

  /** Annotation indices of image i, in file order. */
  annotationsOfImage(i: number): Int32Array {
    return this.imageList.subarray(this.imageStart[i], this.imageStart[i + 1]);
  }

  /** Annotation indices of contiguous category k, in file order. */
  annotationsOfCategory(k: number): Int32Array {
    return this.categoryList.subarray(this.categoryStart[k], this.categoryStart[k + 1]);
  }

  /** Image indices holding at least one annotation of category k, ascending. */
  imagesOfCategory(k: number): Int32Array {
    const anns = this.annotationsOfCategory(k);
    const out: number[] = [];
    let last = -1;
    for (const a of anns) {
      const img = this.annotations.imageIndex[a];
      if (img !== last) out.push(img);
      last = img;
    }
    // category lists are grouped by file order, not image order: sort and dedupe
    return Int32Array.from(new Set(out)).sort();
  }
}

/** Counting sort of item indices by key: returns [start (n+1), list]; stable, so file order is kept. */
function csr(keys: Int32Array, n: number): [Int32Array, Int32Array] {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < keys.length; i++) start[keys[i] + 1]++;
  for (let k = 0; k < n; k++) start[k + 1] += start[k];
  const fill = start.slice(0, n);
  const list = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) list[fill[keys[i]]++] = i;
  return [start, list];
}
