/**
 * A 31-bit seed for the layer called `layerName` in a model built with `seed`: every layer of a model gets its
 * own stream of random numbers for its kernel init and feedback, and the same model seed rebuilds the same model.
 */
export function layerSeed(seed: number, layerName: string): number {
  // FNV-1a over the name, then a murmur3 finalizer mixing in the model seed.
  let h = 0x811c9dc5;
  for (let i = 0; i < layerName.length; i++) {
    h ^= layerName.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = (h ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  // Dense layers seed their bias with seed + 1: keep one step of headroom below 2^31.
  return ((h ^ (h >>> 16)) >>> 0) % 0x7ffffffe;
}
