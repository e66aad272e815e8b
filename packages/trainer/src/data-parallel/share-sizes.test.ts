import { describe, expect, it } from 'vitest';
import { shareSizes } from './share-sizes';

describe('shareSizes', () => {
  it('splits as evenly as possible, larger shares first, leaving out empty shares', () => {
    expect(shareSizes(9, 4)).toEqual([3, 2, 2, 2]);
    expect(shareSizes(128, 2)).toEqual([64, 64]);
    expect(shareSizes(15, 2)).toEqual([8, 7]);
    expect(shareSizes(2, 4)).toEqual([1, 1]);
    expect(shareSizes(5, 1)).toEqual([5]);
  });

  it('uses fewer shares rather than shares under the minimum', () => {
    expect(shareSizes(3, 2, 2)).toEqual([3]);
    expect(shareSizes(5, 4, 2)).toEqual([3, 2]);
    expect(shareSizes(1, 2, 2)).toEqual([1]);
    expect(shareSizes(8, 2, 2)).toEqual([4, 4]);
  });

  it('refuses a part count that is not a positive integer', () => {
    expect(() => shareSizes(4, 0)).toThrow('parts must be an integer >= 1, got 0');
  });
});
