import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  IMAGENET_MEAN,
  IMAGENET_STD,
  loadDetectionImage,
  pilLuma,
  type TransformedImage,
} from './image-transform.js';

// Expected values from PIL 9.4 (scripts/pil_gray_expected.py): RGB triples with what convert('L') makes of
// them, and two JPEGs saved by PIL with Image.open(file).convert('L') of each.
const FIX = join(__dirname, '..', 'test-fixtures', 'pil-gray');
interface JpegCase {
  file: string;
  mode: string;
  width: number;
  height: number;
  l: string;
}
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
  pil: string;
  triples: string;
  l: string;
  rgbJpeg: JpegCase;
  grayJpeg: JpegCase;
};
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const triples = hex(expected.triples);
const pilL = hex(expected.l);

const dir = mkdtempSync(join(tmpdir(), 'image-transform-'));
/** mean 0 and std 1: pixels are v / 255, so levels come back as round(p * 255). */
const RAW = { channels: 1, mean: [0], std: [1] } as const;
/** The mosaic reference's normalization (retinanet_mosaic.py). */
const M = 0.286;
const S = 0.353;
const levels = (img: TransformedImage) => Array.from(img.pixels, (p) => Math.round(p * 255));
/** At the original size: shorter side kept, longer side allowed. */
const native = (w: number, h: number) => ({ shortSide: Math.min(w, h), maxSize: Math.max(w, h) });
/** torchvision's float32 normalize of PIL's pixel / 255. */
const torchNormalized = (v: number, m: number, s: number) =>
  Math.fround(Math.fround(Math.fround(v / 255) - Math.fround(m)) / Math.fround(s));

/** A gray ramp with structure in both directions. */
function grayPixels(w: number, h: number): Uint8Array {
  const g = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) g[y * w + x] = (x * 11 + y * 5 + ((x * y) % 7) * 9) & 255;
  return g;
}

async function writeRaw(name: string, data: Uint8Array, w: number, h: number, channels: 1 | 2 | 3 | 4) {
  const path = join(dir, name);
  let img = sharp(data, { raw: { width: w, height: h, channels } });
  if (channels <= 2) img = img.toColourspace('b-w');
  await (name.endsWith('.jpg') ? img.jpeg({ quality: 80 }) : img.png()).toFile(path);
  return path;
}

describe('loadDetectionImage with one channel (PIL convert("L"))', () => {
  let rgbPng: string;
  let rgbaPng: string;
  beforeAll(async () => {
    rgbPng = await writeRaw('triples.png', triples, 16, 16, 3);
    const rgba = new Uint8Array(16 * 16 * 4);
    for (let p = 0; p < 256; p++) {
      rgba.set(triples.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = (p * 37) & 255; // alpha, including 0: PIL ignores it
    }
    rgbaPng = await writeRaw('triples-alpha.png', rgba, 16, 16, 4);
  });

  it("uses PIL's fixed-point luma, not R*0.299 + G*0.587 + B*0.114 rounded", () => {
    expect(expected.pil).toBe('9.4.0');
    let offByRounding = 0;
    for (let p = 0; p < 256; p++) {
      const [r, g, b] = triples.subarray(p * 3, p * 3 + 3);
      expect(pilLuma(r, g, b)).toBe(pilL[p]);
      if (Math.round((r * 299 + g * 587 + b * 114) / 1000) !== pilL[p]) offByRounding++;
    }
    expect(pilL.subarray(0, 5)).toEqual(Uint8Array.from([0, 255, 76, 150, 29]));
    // the fixture holds 124 pixels where the two roundings disagree
    expect(offByRounding).toBeGreaterThanOrEqual(124);
  });

  it('turns an RGB and an RGBA PNG into exactly the values of PIL', async () => {
    for (const path of [rgbPng, rgbaPng]) {
      const img = await loadDetectionImage(path, false, { ...RAW, ...native(16, 16) });
      expect(img).toMatchObject({ channels: 1, width: 16, height: 16, scale: 1, flipped: false });
      expect(img.pixels.length).toBe(256);
      expect(levels(img)).toEqual(Array.from(pilL));
    }
  });

  it("normalizes with one mean and std, within float32 rounding of torchvision's normalize", async () => {
    const img = await loadDetectionImage(rgbPng, false, {
      channels: 1,
      mean: [M],
      std: [S],
      ...native(16, 16),
    });
    for (let p = 0; p < 256; p++) {
      expect(img.pixels[p]).toBe(Math.fround(pilL[p] * (1 / (255 * S)) + -M / S));
      expect(Math.abs(img.pixels[p] - torchNormalized(pilL[p], M, S))).toBeLessThan(5e-7);
    }
    expect(img.pixels[0]).toBeCloseTo(-M / S, 6); // black
    expect(img.pixels[1]).toBeCloseTo((1 - M) / S, 6); // white
  });

  it("matches PIL's decoding of RGB (4:2:0) and grayscale JPEGs saved by PIL", async () => {
    for (const c of [expected.rgbJpeg, expected.grayJpeg]) {
      const img = await loadDetectionImage(join(FIX, c.file), false, {
        ...RAW,
        ...native(c.width, c.height),
      });
      expect([img.width, img.height, img.scale]).toEqual([c.width, c.height, 1]);
      expect(levels(img)).toEqual(Array.from(hex(c.l)));
    }
    expect([expected.rgbJpeg.mode, expected.grayJpeg.mode]).toEqual(['RGB', 'L']);
  });

  it('keeps the values of grayscale PNGs (with or without alpha) and JPEGs, mirrored exactly', async () => {
    const [w, h] = [37, 21];
    const g = grayPixels(w, h);
    const ga = new Uint8Array(w * h * 2);
    for (let p = 0; p < w * h; p++) [ga[2 * p], ga[2 * p + 1]] = [g[p], 255 - g[p]];
    const png = await writeRaw('gray.png', g, w, h, 1);
    const pngAlpha = await writeRaw('gray-alpha.png', ga, w, h, 2);
    const jpg = await writeRaw('gray.jpg', g, w, h, 1);
    expect((await sharp(png).metadata()).channels).toBe(1);
    expect(await sharp(pngAlpha).metadata()).toMatchObject({ channels: 2, space: 'b-w', hasAlpha: true });
    for (const path of [png, pngAlpha]) {
      expect(levels(await loadDetectionImage(path, false, { ...RAW, ...native(w, h) }))).toEqual(
        Array.from(g),
      );
    }
    // a JPEG's own values: what it decodes to (lossy: near the written ones)
    const decoded = await sharp(jpg).toColourspace('b-w').raw().toBuffer();
    const plain = await loadDetectionImage(jpg, false, { ...RAW, ...native(w, h) });
    expect(levels(plain)).toEqual(Array.from(decoded));
    expect(decoded.some((v, p) => v !== g[p])).toBe(true);
    const flipped = await loadDetectionImage(jpg, true, { ...RAW, ...native(w, h) });
    expect(flipped.flipped).toBe(true);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) expect(flipped.pixels[y * w + x]).toBe(plain.pixels[y * w + (w - 1 - x)]);
  });

  it('resizes and flips one channel as the RGB path does', async () => {
    const [w, h] = [40, 30];
    const jpg = await writeRaw('gray-small.jpg', grayPixels(w, h), w, h, 1);
    const rgb = new Uint8Array(w * h * 3);
    for (let p = 0; p < w * h; p++)
      rgb.set([(p * 7) & 255, (p * 3 + 40) & 255, 255 - ((p * 5) & 255)], p * 3);
    const rgbPath = await writeRaw('rgb-small.png', rgb, w, h, 3);
    for (const flip of [false, true]) {
      // a grayscale file: the gray path is the RGB path's first channel, to the bit
      const one = await loadDetectionImage(jpg, flip, { channels: 1, mean: [M], std: [S], shortSide: 75 });
      const three = await loadDetectionImage(jpg, flip, { mean: [M, M, M], std: [S, S, S], shortSide: 75 });
      expect(one).toMatchObject({ channels: 1, width: 100, height: 75, scale: 2.5, flipped: flip });
      expect(three.channels).toBe(3);
      expect(one.pixels.length).toBe(100 * 75);
      let differ = 0;
      for (let p = 0; p < one.pixels.length; p++) {
        if (one.pixels[p] !== three.pixels[p * 3] || three.pixels[p * 3 + 2] !== three.pixels[p * 3])
          differ++;
      }
      expect(differ).toBe(0);
      // an RGB file: luma of the resized RGB, within a level (rounding after resizing vs after converting)
      const lum = await loadDetectionImage(rgbPath, flip, { ...RAW, shortSide: 75 });
      const col = await loadDetectionImage(rgbPath, flip, { mean: [0, 0, 0], std: [1, 1, 1], shortSide: 75 });
      const c = levels(col);
      const l = levels(lum);
      let maxDiff = 0;
      for (let p = 0; p < l.length; p++)
        maxDiff = Math.max(maxDiff, Math.abs(l[p] - pilLuma(c[3 * p], c[3 * p + 1], c[3 * p + 2])));
      expect(maxDiff).toBeLessThanOrEqual(1);
    }
  });

  it('leaves three channels as before: RGB normalized with the ImageNet statistics', async () => {
    const img = await loadDetectionImage(rgbPng, false, native(16, 16));
    expect(img.channels).toBe(3);
    expect(img.pixels.length).toBe(256 * 3);
    for (let k = 0; k < 256 * 3; k++) {
      const c = k % 3;
      expect(img.pixels[k]).toBe(
        Math.fround(triples[k] * (1 / (255 * IMAGENET_STD[c])) - IMAGENET_MEAN[c] / IMAGENET_STD[c]),
      );
    }
  });

  it('names the option when mean, std or channels do not fit', async () => {
    const f = rgbPng;
    await expect(loadDetectionImage(f, false, { channels: 1 })).rejects.toThrow(
      /^mean must be given with channels 1: the default \(ImageNet's\) has 3 values/,
    );
    await expect(loadDetectionImage(f, false, { channels: 1, mean: [M, M, M], std: [S] })).rejects.toThrow(
      'mean must have one value per channel: got 3 value(s) for channels 1',
    );
    await expect(loadDetectionImage(f, false, { channels: 1, mean: [M], std: [S, S] })).rejects.toThrow(
      'std must have one value per channel: got 2 value(s) for channels 1',
    );
    await expect(loadDetectionImage(f, false, { mean: [M], std: [S] })).rejects.toThrow(
      'mean must have one value per channel: got 1 value(s) for channels 3',
    );
    await expect(loadDetectionImage(f, false, { channels: 1, mean: [M] })).rejects.toThrow(
      /^std must be given with channels 1/,
    );
    await expect(
      loadDetectionImage(f, false, { channels: 2 as 1, mean: [M, M], std: [S, S] }),
    ).rejects.toThrow('channels must be 1 or 3, got 2');
    await expect(loadDetectionImage(f, false, { channels: 1, mean: [M], std: [0] })).rejects.toThrow(
      'std[0] must be a finite number other than 0, got 0',
    );
    await expect(loadDetectionImage(f, false, { channels: 1, mean: [Number.NaN], std: [S] })).rejects.toThrow(
      RangeError,
    );
  });

  it('refuses images PIL would not convert faithfully (16-bit grayscale)', async () => {
    const path = join(dir, 'gray16.png');
    await sharp(grayPixels(8, 8), { raw: { width: 8, height: 8, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toFile(path);
    await expect(loadDetectionImage(path, false, RAW)).rejects.toThrow(
      /gray16\.png: cannot make one channel of a grey16 image with ushort samples/,
    );
    // three channels decode it as before
    expect((await loadDetectionImage(path, false, native(8, 8))).channels).toBe(3);
  });
});
