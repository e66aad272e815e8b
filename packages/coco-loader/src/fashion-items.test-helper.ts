import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Prng } from './prng.js';

const DIR = '/usr/share/datasets/fashion-mnist';

/**
 * The first n Fashion-MNIST training items (IDX files: 16-byte image header, 8-byte label header)
 * when the data set is installed; otherwise synthetic 28x28 blobs with labels, so tests run anywhere.
 */
export function fashionItems(n: number): { images: Uint8Array; labels: Uint8Array; real: boolean } {
  const img = `${DIR}/train-images-idx3-ubyte.gz`;
  const lab = `${DIR}/train-labels-idx1-ubyte.gz`;
  if (existsSync(img) && existsSync(lab)) {
    const images = gunzipSync(readFileSync(img));
    const labels = gunzipSync(readFileSync(lab));
    if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) throw new Error('bad IDX magic');
    return {
      images: new Uint8Array(images.subarray(16, 16 + n * 784)),
      labels: new Uint8Array(labels.subarray(8, 8 + n)),
      real: true,
    };
  }
  const rng = new Prng(5);
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    labels[k] = rng.int(10);
    const [x0, y0] = [2 + rng.int(8), 2 + rng.int(8)];
    const [x1, y1] = [x0 + 8 + rng.int(10), y0 + 8 + rng.int(10)];
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) images[k * 784 + y * 28 + x] = 100 + rng.int(156);
  }
  return { images, labels, real: false };
}
