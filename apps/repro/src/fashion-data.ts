import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBIAN_FASHION_MNIST_DIR } from '@bioprop/imagenet-loader';

/** The Fashion-MNIST folder shipped with the app (data/fashion-mnist beside dist/ and src/). */
export function vendoredFashionDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'fashion-mnist');
}

/** Where to read Fashion-MNIST: the given folder, else the shipped copy, else Debian's. */
export function fashionMnistDir(given?: string): string {
  const candidates = given ? [given] : [vendoredFashionDir(), DEBIAN_FASHION_MNIST_DIR];
  for (const dir of candidates) {
    if (
      existsSync(join(dir, 'train-images-idx3-ubyte.gz')) ||
      existsSync(join(dir, 'train-images-idx3-ubyte'))
    ) {
      return dir;
    }
  }
  throw new Error(
    `Fashion-MNIST not found in ${candidates.join(' or ')}: expected train-images-idx3-ubyte(.gz) and the three other IDX files`,
  );
}
