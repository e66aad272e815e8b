import { describe, expect, it } from 'vitest';
import { centerCropBox, resizeShorterSide } from './center-crop.js';
import { createRng, type Rng } from './prng.js';
import { randomResizedCropBox } from './random-resized-crop.js';

/** An Rng that replays fixed values of next(), so crop boxes can be computed by hand. */
function scripted(values: number[]): Rng & { used: () => number } {
  let i = 0;
  const next = () => {
    if (i >= values.length) throw new Error('script exhausted');
    return values[i++];
  };
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)),
    used: () => i,
  };
}

describe('randomResizedCropBox', () => {
  it('matches a hand-computed box', () => {
    // area 187500 * (0.08 + 0.92 * 0.5) = 101250; ratio exp(0) = 1; side round(318.198) = 318;
    // top = floor(0.5 * 58) = 29; left = floor(0.5 * 183) = 91.
    const rng = scripted([0.5, 0.5, 0.5, 0.5]);
    expect(randomResizedCropBox(500, 375, rng)).toEqual({ left: 91, top: 29, width: 318, height: 318 });
    expect(rng.used()).toBe(4);
  });

  it('samples the ratio log-uniformly', () => {
    // scale 1 (u = 1 - tiny), ratio u = 0 -> 3/4: w = round(sqrt(187500 * 0.75)) = 375, h = round(500) = 500 > 375
    // fails; second try: scale u=0 (0.08 -> 15000), ratio u = 1 -> 4/3: w = round(141.42) = 141, h = round(106.07) = 106.
    const rng = scripted([0.999999999, 0, 0, 1 - 1e-12, 0, 0.999]);
    expect(randomResizedCropBox(500, 375, rng)).toEqual({ left: 359, top: 0, width: 141, height: 106 });
  });

  it('rounds half to even as Python does', () => {
    // 10x10 image, area fraction 0.0625 -> 6.25, ratio 1 -> side sqrt = 2.5 -> 2 (Math.round would give 3).
    const rng = scripted([0, 0.5, 0, 0]);
    expect(randomResizedCropBox(10, 10, rng, { scale: [0.0625, 0.0625] })).toEqual({
      left: 0,
      top: 0,
      width: 2,
      height: 2,
    });
  });

  it('falls back to a clamped center crop after ten failed tries', () => {
    // A 100x10 strip: every candidate is ~30 px tall, so all ten tries fail (20 draws, no position draws).
    const wide = scripted(Array(20).fill(0.5));
    expect(randomResizedCropBox(100, 10, wide, { scale: [1, 1] })).toEqual({
      left: 43,
      top: 0,
      width: 13,
      height: 10,
    });
    expect(wide.used()).toBe(20);
    const tall = scripted(Array(20).fill(0.5));
    // in-ratio 0.1 < 3/4: w = 10, h = round(10 / 0.75) = 13, top = (100 - 13) // 2 = 43.
    expect(randomResizedCropBox(10, 100, tall, { scale: [1, 1] })).toEqual({
      left: 0,
      top: 43,
      width: 10,
      height: 13,
    });
    // Within the ratio range the fallback is the whole image (aspect ~2 makes every try too wide).
    const square = scripted([0.5, 0.9999, 0.5, 0.9999, 0.5, 0.9999]);
    expect(randomResizedCropBox(20, 20, square, { scale: [1, 1], attempts: 3, ratio: [0.5, 2] })).toEqual({
      left: 0,
      top: 0,
      width: 20,
      height: 20,
    });
  });

  it('keeps real draws inside the image and the scale/ratio ranges', () => {
    const rng = createRng(11);
    for (let i = 0; i < 2000; i++) {
      const box = randomResizedCropBox(500, 375, rng);
      expect(box.left >= 0 && box.top >= 0).toBe(true);
      expect(box.left + box.width <= 500 && box.top + box.height <= 375).toBe(true);
      const frac = (box.width * box.height) / (500 * 375);
      expect(frac).toBeGreaterThan(0.075);
      expect(frac).toBeLessThanOrEqual(1);
      const ratio = box.width / box.height;
      expect(ratio).toBeGreaterThan(0.7);
      expect(ratio).toBeLessThan(1.4);
    }
    expect(randomResizedCropBox(500, 375, createRng(5))).toEqual(
      randomResizedCropBox(500, 375, createRng(5)),
    );
  });
});

describe('evaluation geometry', () => {
  it('resizes the shorter side and truncates the longer one like torchvision', () => {
    expect(resizeShorterSide(500, 375, 256)).toEqual({ width: 341, height: 256 });
    expect(resizeShorterSide(375, 500, 256)).toEqual({ width: 256, height: 341 });
    expect(resizeShorterSide(300, 300, 256)).toEqual({ width: 256, height: 256 });
    expect(resizeShorterSide(120, 90, 73)).toEqual({ width: 97, height: 73 });
  });

  it('center-crops with Python rounding of the offsets', () => {
    // (341 - 224) / 2 = 58.5 -> 58; (97 - 64) / 2 = 16.5 -> 16; (73 - 64) / 2 = 4.5 -> 4.
    expect(centerCropBox(341, 256, 224)).toEqual({ left: 58, top: 16, width: 224, height: 224 });
    expect(centerCropBox(256, 341, 224)).toEqual({ left: 16, top: 58, width: 224, height: 224 });
    expect(centerCropBox(97, 73, 64)).toEqual({ left: 16, top: 4, width: 64, height: 64 });
    expect(centerCropBox(99, 73, 64)).toEqual({ left: 18, top: 4, width: 64, height: 64 });
    expect(() => centerCropBox(100, 50, 64)).toThrow(/larger than the image/);
  });
});
