import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_FASHION_MNIST_DIR, loadIdxDataset, loadMnistSplit } from './idx-dataset.js';
import { encodeIdx, parseIdx, readIdxFile, writeIdxFile } from './idx-format.js';
import { makeTempDir } from './test-fixtures.js';

const hasDebianFashion = await access(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')).then(
  () => true,
  () => false,
);

describe('IDX format', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('idx');
  });

  it('round-trips every data type, gzipped or not', async () => {
    const arrays = [
      { dims: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
      { dims: [3], data: Int8Array.from([-128, 0, 127]) },
      { dims: [2, 1], data: Int16Array.from([-300, 30000]) },
      { dims: [2], data: Int32Array.from([-70000, 2 ** 31 - 1]) },
      { dims: [1, 2], data: Float32Array.from([1.5, -2.25]) },
      { dims: [2], data: Float64Array.from([Math.PI, -1e300]) },
    ];
    for (const [i, array] of arrays.entries()) {
      for (const ext of ['', '.gz']) {
        const path = join(dir, `a${i}-idx${ext}`);
        await writeIdxFile(path, array);
        const back = await readIdxFile(path);
        expect(back.dims).toEqual(array.dims);
        expect(back.data).toEqual(array.data);
      }
    }
    // Known bytes: magic 0x00000801 for a 1-D ubyte array, big-endian length.
    expect([...encodeIdx({ dims: [2], data: Uint8Array.from([7, 9]) })]).toEqual([
      0, 0, 8, 1, 0, 0, 0, 2, 7, 9,
    ]);
    expect([...encodeIdx({ dims: [1], data: Int16Array.from([258]) })]).toEqual([
      0, 0, 11, 1, 0, 0, 0, 1, 1, 2,
    ]);
  });

  it('names the file in errors about bad magic, truncation and bad gzip', async () => {
    const good = encodeIdx({ dims: [4, 2, 2], data: new Uint8Array(16) });
    const bad = Buffer.from(good);
    bad[0] = 1;
    await writeFile(join(dir, 'magic'), bad);
    await expect(readIdxFile(join(dir, 'magic'))).rejects.toThrow(`${join(dir, 'magic')}: not an IDX file`);
    await writeFile(join(dir, 'short.gz'), gzipSync(good.subarray(0, 20)));
    await expect(readIdxFile(join(dir, 'short.gz'))).rejects.toThrow(
      `${join(dir, 'short.gz')}: truncated IDX file`,
    );
    await writeFile(join(dir, 'cut.gz'), gzipSync(good).subarray(0, 15));
    await expect(readIdxFile(join(dir, 'cut.gz'))).rejects.toThrow(`${join(dir, 'cut.gz')}: cannot gunzip`);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]), 'x')).toThrow(
      /x: unknown IDX data type/,
    );
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0]), 'y')).toThrow(/y: truncated IDX header/);
  });

  it('loads an image/label pair and checks they agree', async () => {
    const images = new Uint8Array(3 * 4 * 5).map((_, i) => i);
    await writeIdxFile(join(dir, 'train-images-idx3-ubyte.gz'), { dims: [3, 4, 5], data: images });
    await writeIdxFile(join(dir, 'train-labels-idx1-ubyte.gz'), {
      dims: [3],
      data: Uint8Array.from([2, 0, 1]),
    });
    const data = await loadMnistSplit(dir, 'train');
    expect(data).toMatchObject({ count: 3, height: 4, width: 5, channels: 1 });
    expect(data.images).toEqual(images);
    expect([...data.labels]).toEqual([2, 0, 1]);
    await writeIdxFile(join(dir, 'l2'), { dims: [2], data: Uint8Array.from([0, 1]) });
    await expect(loadIdxDataset(join(dir, 'train-images-idx3-ubyte.gz'), join(dir, 'l2'))).rejects.toThrow(
      /has 2 labels but .* has 3 images/,
    );
    await expect(loadMnistSplit(dir, 'test')).rejects.toThrow(/t10k-images/);
  });

  it.runIf(hasDebianFashion)('reads Debian Fashion-MNIST', async () => {
    const test = await loadMnistSplit(DEBIAN_FASHION_MNIST_DIR, 'test');
    expect(test).toMatchObject({ count: 10000, height: 28, width: 28, channels: 1 });
    const perClass = new Array(10).fill(0);
    for (const l of test.labels) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(1000));
    let sum = 0;
    for (const v of test.images) sum += v;
    expect(sum / test.images.length / 255).toBeCloseTo(0.286, 1);
  });
});
