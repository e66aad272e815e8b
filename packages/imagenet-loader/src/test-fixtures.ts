import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { mix32 } from './prng.js';

/** Kinds of encoded files the fixtures can write (all under whatever name the caller picks). */
export type FixtureKind = 'rgb-jpeg' | 'gray-jpeg' | 'cmyk-jpeg' | 'png' | 'rgba-png';

/** Deterministic structured RGB pixels (gradients plus hashed noise) so that crops differ visibly. */
export function fixturePixels(width: number, height: number, channels: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const noise = mix32(seed ^ (y * 65599 + x)) & 63;
      for (let c = 0; c < channels; c++) {
        const base =
          c === 0 ? (x * 255) / width : c === 1 ? (y * 255) / height : ((x + y) * 127) / (width + height);
        data[(y * width + x) * channels + c] = c === 3 ? 255 : Math.min(255, Math.round(base * 0.75 + noise));
      }
    }
  }
  return data;
}

/** Encodes a fixture image of the given kind and size; returns the file's bytes. */
export async function encodeFixture(
  kind: FixtureKind,
  width: number,
  height: number,
  seed = 1,
): Promise<Buffer> {
  switch (kind) {
    case 'rgb-jpeg':
      return sharp(fixturePixels(width, height, 3, seed), { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'gray-jpeg':
      return sharp(fixturePixels(width, height, 1, seed), { raw: { width, height, channels: 1 } })
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'cmyk-jpeg':
      return sharp(fixturePixels(width, height, 3, seed), { raw: { width, height, channels: 3 } })
        .toColourspace('cmyk')
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'png':
      return sharp(fixturePixels(width, height, 3, seed), { raw: { width, height, channels: 3 } })
        .png()
        .toBuffer();
    case 'rgba-png':
      return sharp(fixturePixels(width, height, 4, seed), { raw: { width, height, channels: 4 } })
        .png()
        .toBuffer();
  }
}

/** Writes a fixture image to path (creating folders); the name need not match the format. */
export async function writeFixture(
  path: string,
  kind: FixtureKind,
  width: number,
  height: number,
  seed = 1,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await encodeFixture(kind, width, height, seed));
}

/** A fresh temporary folder for one test file. */
export async function makeTempDir(prefix: string): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return mkdtemp(join(tmpdir(), `bioprop-${prefix}-`));
}
