import { describe, expect, it } from 'vitest';
import { COCO_CATEGORY_IDS } from '../bench/synthetic-instances.js';
import { CategoryMap } from './category-map.js';

describe('CategoryMap', () => {
  it("maps COCO's 80 ids (1-90 with gaps) to 0-79 in id order and back", () => {
    const shuffled = [...COCO_CATEGORY_IDS].reverse().map((id) => ({ id, name: `n${id}` }));
    const m = new CategoryMap(shuffled);
    expect(m.size).toBe(80);
    expect(m.indexOf(1)).toBe(0);
    expect(m.indexOf(13)).toBe(11); // 12 is one of the gaps
    expect(m.indexOf(90)).toBe(79);
    expect(m.indexOf(12)).toBe(-1);
    for (let k = 0; k < 80; k++) expect(m.indexOf(m.idOf(k))).toBe(k);
    expect(m.nameOf(79)).toBe('n90');
    expect(() => m.idOf(80)).toThrow(RangeError);
  });

  it('refuses duplicate ids', () => {
    expect(
      () =>
        new CategoryMap([
          { id: 3, name: 'a' },
          { id: 3, name: 'b' },
        ]),
    ).toThrow(/twice/);
  });
});
