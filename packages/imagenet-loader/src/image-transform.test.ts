import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { centerCropBox, resizeShorterSide } from './center-crop.js';
import { evalTransform, resolveTransformOptions, trainTransform } from './image-transform.js';
import { IMAGENET_MEAN, IMAGENET_STD } from './normalize.js';
import { createRng } from './prng.js';
import { randomResizedCropBox } from './random-resized-crop.js';
import { encodeFixture } from './test-fixtures.js';

const SIZE = 64;
const OPTS = { cropSize: SIZE, resizeSize: 73 };

/** Back to 0-255 values from normalized output, channel by channel. */
function denormalize(out: Float32Array): Float32Array {
  return out.map((v, i) => (v * IMAGENET_STD[i % 3] + IMAGENET_MEAN[i % 3]) * 255);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function mirror(raw: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(raw.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) out[(y * size + x) * 3 + c] = raw[(y * size + (size - 1 - x)) * 3 + c];
    }
  }
  return out;
}

describe('trainTransform', () => {
  it('equals a manual sharp extract + resize of the box drawn from the same seed', async () => {
    const jpeg = await encodeFixture('rgb-jpeg', 150, 110, 4);
    let flips = 0;
    for (let seed = 0; seed < 6; seed++) {
      const out = new Float32Array(SIZE * SIZE * 3);
      const record = await trainTransform(jpeg, createRng(seed), out, 0, OPTS);
      const rng = createRng(seed);
      const box = randomResizedCropBox(150, 110, rng);
      const flip = rng.next() < 0.5;
      expect(record.box).toEqual(box);
      expect(record.flipped).toBe(flip);
      flips += flip ? 1 : 0;
      const manual = await sharp(jpeg)
        .extract(box)
        .resize(SIZE, SIZE, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer();
      const expected = flip ? mirror(manual, SIZE) : manual;
      expect(maxAbsDiff(denormalize(out), expected)).toBeLessThan(1e-3);
    }
    expect(flips).toBeGreaterThan(0);
    expect(flips).toBeLessThan(6);
  });

  it('normalizes with the given mean and std at the given offset', async () => {
    const jpeg = await encodeFixture('rgb-jpeg', 90, 90, 2);
    const a = new Float32Array(SIZE * SIZE * 3);
    await trainTransform(jpeg, createRng(1), a, 0, OPTS);
    const b = new Float32Array(SIZE * SIZE * 3 + 10);
    await trainTransform(jpeg, createRng(1), b, 10, { ...OPTS, mean: [0, 0, 0], std: [1, 1, 1] });
    const expected = a.map((v, i) => v * IMAGENET_STD[i % 3] + IMAGENET_MEAN[i % 3]);
    expect(maxAbsDiff(b.subarray(10), expected)).toBeLessThan(1e-5);
    expect([...b.subarray(0, 10)]).toEqual(new Array(10).fill(0));
  });
});

describe('evalTransform', () => {
  it('equals resize of the shorter side then the center crop', async () => {
    for (const [w, h] of [
      [150, 110],
      [97, 140],
    ]) {
      const jpeg = await encodeFixture('rgb-jpeg', w, h, 9);
      const out = new Float32Array(SIZE * SIZE * 3);
      const record = await evalTransform(jpeg, out, 0, OPTS);
      const resized = resizeShorterSide(w, h, 73);
      const box = centerCropBox(resized.width, resized.height, SIZE);
      expect(record.box).toEqual(box);
      const manual = await sharp(jpeg)
        .resize(resized.width, resized.height, { fit: 'fill', kernel: 'linear' })
        .extract(box)
        .raw()
        .toBuffer();
      expect(maxAbsDiff(denormalize(out), manual)).toBeLessThan(1e-3);
    }
  });

  it('uses the default 256 / 224 sizes', async () => {
    const jpeg = await encodeFixture('rgb-jpeg', 500, 375, 1);
    const out = new Float32Array(224 * 224 * 3);
    const record = await evalTransform(jpeg, out, 0);
    expect(record.box).toEqual({ left: 58, top: 16, width: 224, height: 224 });
    expect(out.some((v) => Number.isNaN(v))).toBe(false);
  });
});

describe('colour handling', () => {
  it('turns grayscale, CMYK, PNG and RGBA input into RGB', async () => {
    const reference = new Float32Array(SIZE * SIZE * 3);
    await evalTransform(await encodeFixture('rgb-jpeg', 120, 90, 3), reference, 0, OPTS);
    const refPixels = denormalize(reference);

    const gray = new Float32Array(SIZE * SIZE * 3);
    await evalTransform(await encodeFixture('gray-jpeg', 120, 90, 3), gray, 0, OPTS);
    const grayPixels = denormalize(gray);
    for (let i = 0; i < grayPixels.length; i += 3) {
      expect(Math.abs(grayPixels[i] - grayPixels[i + 1])).toBeLessThan(1e-3);
      expect(Math.abs(grayPixels[i] - grayPixels[i + 2])).toBeLessThan(1e-3);
    }

    for (const kind of ['cmyk-jpeg', 'png', 'rgba-png'] as const) {
      const out = new Float32Array(SIZE * SIZE * 3);
      await evalTransform(await encodeFixture(kind, 120, 90, 3), out, 0, OPTS);
      const pixels = denormalize(out);
      let mean = 0;
      for (let i = 0; i < pixels.length; i++) mean += Math.abs(pixels[i] - refPixels[i]);
      mean /= pixels.length;
      // CMYK goes through a colour profile and JPEG twice, so allow a few levels; PNG is lossless.
      expect(mean, kind).toBeLessThan(kind === 'cmyk-jpeg' ? 12 : 4);
    }
  });

  it('rejects a truncated JPEG and garbage', async () => {
    const jpeg = await encodeFixture('rgb-jpeg', 120, 90, 3);
    const out = new Float32Array(SIZE * SIZE * 3);
    await expect(evalTransform(jpeg.subarray(0, jpeg.length >> 1), out, 0, OPTS)).rejects.toThrow();
    await expect(trainTransform(Buffer.from('not an image'), createRng(0), out, 0, OPTS)).rejects.toThrow();
  });

  it('checks its options', () => {
    expect(() => resolveTransformOptions({ cropSize: 64, resizeSize: 32 })).toThrow(/resizeSize/);
    expect(() => resolveTransformOptions({ cropSize: 0 })).toThrow(/cropSize/);
    expect(resolveTransformOptions().cropSize).toBe(224);
  });
});
