import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageSize } from './image-header.js';
import { encodeFixture, fixturePixels } from './test-fixtures.js';

describe('readImageSize', () => {
  it('agrees with sharp on JPEG (baseline, progressive, gray, CMYK, with EXIF) and PNG', async () => {
    const raw = { raw: { width: 37, height: 23, channels: 3 as const } };
    const files = [
      await encodeFixture('rgb-jpeg', 41, 29),
      await encodeFixture('gray-jpeg', 17, 40),
      await encodeFixture('cmyk-jpeg', 33, 12),
      await encodeFixture('png', 50, 7),
      await encodeFixture('rgba-png', 3, 90),
      await sharp(fixturePixels(37, 23, 3, 1), raw)
        .jpeg({ progressive: true })
        .toBuffer(),
      await sharp(fixturePixels(37, 23, 3, 1), raw)
        .withMetadata({ orientation: 6 })
        .jpeg()
        .toBuffer(),
    ];
    for (const file of files) {
      const meta = await sharp(file).metadata();
      expect(readImageSize(file)).toEqual({ width: meta.width, height: meta.height });
    }
  });

  it('returns undefined for other formats and broken headers', async () => {
    const webp = await sharp(fixturePixels(8, 8, 3, 1), { raw: { width: 8, height: 8, channels: 3 } })
      .webp()
      .toBuffer();
    expect(readImageSize(webp)).toBeUndefined();
    expect(readImageSize(Buffer.from('hello world'))).toBeUndefined();
    const jpeg = await encodeFixture('rgb-jpeg', 41, 29);
    expect(readImageSize(jpeg.subarray(0, 6))).toBeUndefined();
    expect(readImageSize(Buffer.from([0xff, 0xd8, 0x12, 0x34, 0, 0, 0, 0]))).toBeUndefined();
  });
});
