import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, mix32, permutation } from './prng.js';
import { roundHalfEven } from './python-round.js';

describe('prng', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('draws uniformly in [0, 1) and int in [low, high)', () => {
    const rng = createRng(7);
    const counts = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) outside++;
      counts[rng.int(0, 10)]++;
    }
    expect(outside).toBe(0);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.int(3, 3)).toThrow(/empty range/);
  });

  it('derives distinct seeds per path and checks its inputs', () => {
    const seeds = new Set<number>();
    for (let epoch = 0; epoch < 20; epoch++) for (let i = 0; i < 500; i++) seeds.add(deriveSeed(1, epoch, i));
    expect(seeds.size).toBe(10_000);
    expect(deriveSeed(1, 2, 3)).toBe(deriveSeed(1, 2, 3));
    expect(deriveSeed(1, 2, 3)).not.toBe(deriveSeed(1, 3, 2));
    expect(deriveSeed(2 ** 40)).not.toBe(deriveSeed(0));
    expect(() => deriveSeed(-1)).toThrow(/non-negative/);
    expect(mix32(0)).not.toBe(mix32(1));
  });

  it('permutes every index exactly once', () => {
    const p = permutation(1000, createRng(3));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p.subarray(0, 10)]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rounds ties to even like Python', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001, 58.5, 16.5].map(roundHalfEven)).toEqual([
      0, 2, 2, 0, -2, 2, 3, 58, 16,
    ]);
  });
});
