/** A seeded pseudo-random source: everything random in this package draws from one of these. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number;
  /** Uniform integer in [low, high) (high exclusive, like torch.randint). */
  int(low: number, high: number): number;
}

/** Finalizer of splitmix32: a bijective avalanche hash of a 32-bit integer. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function checkSeedPart(part: number): void {
  if (!Number.isSafeInteger(part) || part < 0) {
    throw new Error(`seed parts must be non-negative safe integers, got ${part}`);
  }
}

/** Derives a 32-bit seed from a root seed and a path of integers, e.g. (seed, epoch, sampleIndex). */
export function deriveSeed(seed: number, ...parts: number[]): number {
  checkSeedPart(seed);
  // Fold in both 32-bit halves so seeds above 2^32 stay distinct.
  let h = mix32(mix32(seed >>> 0) ^ Math.floor(seed / 0x100000000));
  for (const part of parts) {
    checkSeedPart(part);
    h = mix32(h ^ mix32(mix32(part >>> 0) ^ Math.floor(part / 0x100000000)));
  }
  return h;
}

/** mulberry32 generator seeded with a 32-bit integer; deterministic across platforms. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (low, high) => low + (high - low) * next(),
    int: (low, high) => {
      if (!(high > low)) throw new Error(`Rng.int: empty range [${low}, ${high})`);
      return low + Math.floor(next() * (high - low));
    },
  };
}

/** Fisher-Yates permutation of 0..n-1 drawn from rng. */
export function permutation(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
