import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { ImageArrayDataset } from './idx-dataset.js';

/** Options of exportImageFolder. */
export interface ImageFolderExportOptions {
  /** Names of the classes by label; folder names become "<id>_<name>" so sorted order keeps label order. */
  classNames?: readonly string[];
  /** Write at most this many images per split (the first ones). */
  limit?: number;
  /** PNG files written at once. Default os.availableParallelism(). */
  concurrency?: number;
}

/** Folder name of a class: zero-padded id (so sorting keeps label order), plus a file-safe name if given. */
export function classFolderName(label: number, numClasses: number, name?: string): string {
  const id = String(label).padStart(String(Math.max(0, numClasses - 1)).length, '0');
  if (!name) return id;
  return `${id}_${name.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
}

/**
 * Writes in-memory datasets (e.g. Fashion-MNIST) as an ImageNet-style tree of PNG files,
 * <outDir>/<split>/<class>/<index>.png, so the image pipeline can run end to end on real images.
 * Returns the number of files written per split.
 */
export async function exportImageFolder(
  splits: Record<string, ImageArrayDataset>,
  outDir: string,
  options: ImageFolderExportOptions = {},
): Promise<Record<string, number>> {
  const numClasses =
    options.classNames?.length ??
    Math.max(...Object.values(splits).map((d) => d.labels.reduce((a, b) => Math.max(a, b), 0))) + 1;
  const limiter = new ConcurrencyLimiter(options.concurrency ?? availableParallelism());
  const written: Record<string, number> = {};
  for (const [split, data] of Object.entries(splits)) {
    const count = Math.min(data.count, options.limit ?? data.count);
    const folders = Array.from({ length: numClasses }, (_, k) =>
      join(outDir, split, classFolderName(k, numClasses, options.classNames?.[k])),
    );
    const used = new Set<number>();
    for (let i = 0; i < count; i++) used.add(data.labels[i]);
    await Promise.all([...used].map((k) => mkdir(folders[k], { recursive: true })));
    const per = data.height * data.width * data.channels;
    const digits = String(Math.max(0, data.count - 1)).length;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        limiter.run(async () => {
          const label = data.labels[i];
          if (label < 0 || label >= numClasses)
            throw new Error(`${split} image ${i}: label ${label} has no class`);
          const pixels = data.images.subarray(i * per, (i + 1) * per);
          let image = sharp(pixels, {
            raw: { width: data.width, height: data.height, channels: data.channels as 1 | 2 | 3 | 4 },
          });
          // Without this sharp widens one channel to RGB; gray PNGs are a third of the size.
          if (data.channels === 1) image = image.toColourspace('b-w');
          await image
            .png({ compressionLevel: 3 })
            .toFile(join(folders[label], `${String(i).padStart(digits, '0')}.png`));
        }),
      ),
    );
    written[split] = count;
  }
  return written;
}
