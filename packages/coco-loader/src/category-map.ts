/** One COCO category as given in the instances file. */
export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
}

/**
 * COCO category ids are not contiguous (80 classes under ids 1-90); training wants labels
 * 0..K-1. Index k is the rank of the id among the sorted ids, as in Detectron and torchvision.
 */
export class CategoryMap {
  /** Categories in contiguous-index order. */
  readonly categories: readonly CocoCategory[];
  private readonly byId: Map<number, number>;

  /** Builds the map; ids must be unique integers. */
  constructor(categories: readonly CocoCategory[]) {
    const sorted = [...categories].sort((a, b) => a.id - b.id);
    this.byId = new Map();
    sorted.forEach((c, k) => {
      if (!Number.isInteger(c.id)) throw new Error(`category id ${c.id} is not an integer`);
      if (this.byId.has(c.id)) throw new Error(`category id ${c.id} appears twice`);
      this.byId.set(c.id, k);
    });
    this.categories = sorted;
  }

  /** Number of categories K. */
  get size(): number {
    return this.categories.length;
  }

  /** Contiguous index of a COCO id, or -1 when the id is unknown. */
  indexOf(categoryId: number): number {
    return this.byId.get(categoryId) ?? -1;
  }

  /** COCO id of a contiguous index (throws when out of range). */
  idOf(index: number): number {
    const c = this.categories[index];
    if (c === undefined) throw new RangeError(`category index ${index} out of range [0, ${this.size})`);
    return c.id;
  }

  /** Name of a contiguous index. */
  nameOf(index: number): string {
    return this.categories[index]?.name ?? String(index);
  }

  /** The COCO ids in contiguous-index order. */
  ids(): number[] {
    return this.categories.map((c) => c.id);
  }
}
