import { describe, expect, it } from 'vitest';
import { Prng } from './prng.js';

describe('Prng', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('gives uniform floats in [0, 1) and unbiased integers', () => {
    const r = new Prng(7);
    let sum = 0;
    let outside = 0;
    const hist = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) {
      const v = r.next();
      if (!(v >= 0 && v < 1)) outside++;
      sum += v;
      hist[r.int(6)]++;
    }
    expect(outside).toBe(0);
    expect(sum / 60000).toBeCloseTo(0.5, 2);
    for (const h of hist) expect(Math.abs(h - 10000)).toBeLessThan(400);
    expect(() => r.int(0)).toThrow(RangeError);
  });

  it('shuffles into a permutation, the same one for the same seed', () => {
    const x = new Prng(1).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    const y = new Prng(1).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(x)).toEqual(Array.from(y));
    expect([...x].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(x)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
