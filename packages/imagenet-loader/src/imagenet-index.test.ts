import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexImageFolder } from './imagefolder-index.js';
import { indexImageNet } from './imagenet-index.js';
import { makeTempDir, writeFixture } from './test-fixtures.js';

// Deliberately not created in sorted order; the devkit order below differs from the sorted order too.
const WNIDS = ['n03000134', 'n01440764', 'n02102040'];
const SORTED = ['n01440764', 'n02102040', 'n03000134'];
const DEVKIT_ORDER = ['n02102040', 'n03000134', 'n01440764'];
const VAL_TRUTH = ['n03000134', 'n01440764', 'n01440764', 'n02102040', 'n03000134', 'n02102040'];

async function makeTrain(root: string): Promise<void> {
  let seed = 0;
  for (const wnid of WNIDS) {
    for (let i = 0; i < 3; i++) {
      await writeFixture(join(root, 'train', wnid, `${wnid}_${i}.JPEG`), 'rgb-jpeg', 20, 16, seed++);
    }
  }
  // Files the index must ignore.
  await writeFile(join(root, 'train', WNIDS[0], 'notes.txt'), 'not an image');
  await writeFile(join(root, 'train', 'README'), 'top-level file');
}

async function makeFlatVal(root: string): Promise<void> {
  for (let i = 0; i < VAL_TRUTH.length; i++) {
    const name = `ILSVRC2012_val_${String(i + 1).padStart(8, '0')}.JPEG`;
    await writeFixture(join(root, 'val', name), 'rgb-jpeg', 20, 16, 100 + i);
  }
}

function labelsOf(files: string[], labels: Int32Array): Record<string, number> {
  return Object.fromEntries(files.map((f, i) => [f, labels[i]]));
}

describe('indexImageNet', () => {
  let base: string;
  beforeAll(async () => {
    base = await makeTempDir('index');
  });

  it('indexes train/<wnid> and val/<wnid> in sorted class order', async () => {
    const root = join(base, 'folders');
    await makeTrain(root);
    for (const [i, wnid] of VAL_TRUTH.entries()) {
      await writeFixture(join(root, 'val', wnid, `v${i}.JPEG`), 'rgb-jpeg', 20, 16, i);
    }
    const index = await indexImageNet(root);
    expect(index.classes).toEqual(SORTED);
    expect(index.train.files).toHaveLength(9);
    expect(index.train.files.slice(0, 3)).toEqual([
      'n01440764/n01440764_0.JPEG',
      'n01440764/n01440764_1.JPEG',
      'n01440764/n01440764_2.JPEG',
    ]);
    expect([...index.train.labels]).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(index.valLayout).toBe('folders');
    const val = labelsOf(index.val!.files, index.val!.labels);
    VAL_TRUTH.forEach((wnid, i) => {
      expect(val[`${wnid}/v${i}.JPEG`]).toBe(SORTED.indexOf(wnid));
    });
    expect(index.classNames).toBeUndefined();
  });

  it('reads a flat val folder with Kaggle LOC_val_solution.csv and class names', async () => {
    const root = join(base, 'kaggle', 'ILSVRC', 'Data', 'CLS-LOC');
    await makeTrain(root);
    await makeFlatVal(root);
    const top = join(base, 'kaggle');
    const csv = ['ImageId,PredictionString'];
    VAL_TRUTH.forEach((wnid, i) => {
      csv.push(`ILSVRC2012_val_${String(i + 1).padStart(8, '0')},${wnid} 1 2 10 12 ${wnid} 3 3 9 9 `);
    });
    await writeFile(join(top, 'LOC_val_solution.csv'), `${csv.join('\r\n')}\r\n`);
    await writeFile(
      join(top, 'LOC_synset_mapping.txt'),
      'n01440764 tench, Tinca tinca\nn02102040 English springer\nn03000134 chainlink fence\n',
    );
    const index = await indexImageNet(root);
    expect(index.valLayout).toBe('kaggle-csv');
    expect(index.classNames).toEqual(['tench, Tinca tinca', 'English springer', 'chainlink fence']);
    expect(index.val!.files[0]).toBe('ILSVRC2012_val_00000001.JPEG');
    expect([...index.val!.labels]).toEqual(VAL_TRUTH.map((w) => SORTED.indexOf(w)));

    await writeFile(
      join(top, 'LOC_val_solution.csv'),
      `ImageId,PredictionString\n${csv.slice(2).join('\n')}\n`,
    );
    await expect(indexImageNet(root)).rejects.toThrow(/has no label for .*ILSVRC2012_val_00000001\.JPEG/);
    await writeFile(
      join(top, 'LOC_val_solution.csv'),
      `${csv.join('\n')}\nILSVRC2012_val_00000001,n09999999 1 1 2 2\n`,
    );
    await expect(indexImageNet(root)).rejects.toThrow(/LOC_val_solution\.csv: unknown wnid n09999999/);
  });

  it('maps devkit ground-truth ids through the devkit synset order, not the sorted order', async () => {
    const root = join(base, 'devkit');
    await makeTrain(root);
    await makeFlatVal(root);
    const truth = VAL_TRUTH.map((w) => DEVKIT_ORDER.indexOf(w) + 1);
    const data = join(root, 'ILSVRC2012_devkit_t12', 'data');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'ILSVRC2012_validation_ground_truth.txt'), `${truth.join('\n')}\n`);
    const synsets = join(root, 'synsets.txt');
    await writeFile(synsets, `${DEVKIT_ORDER.join('\n')}\n`);

    await expect(indexImageNet(root)).rejects.toThrow(/devkitSynsetsFile/);
    const index = await indexImageNet(root, { devkitSynsetsFile: synsets });
    expect(index.valLayout).toBe('devkit');
    expect([...index.val!.labels]).toEqual(VAL_TRUTH.map((w) => SORTED.indexOf(w)));
    // Reading the ids as sorted-order indices would give different labels.
    expect([...index.val!.labels]).not.toEqual(truth.map((t) => t - 1));

    // The devkit's own meta.mat in ILSVRC2012_devkit_t12/data is found without being named.
    const { copyFile } = await import('node:fs/promises');
    await copyFile(join(import.meta.dirname, 'fixtures', 'meta-compressed.mat'), join(data, 'meta.mat'));
    const fromMat = await indexImageNet(root);
    expect([...fromMat.val!.labels]).toEqual([...index.val!.labels]);

    const unknown = join(root, 'unknown-synsets.txt');
    await writeFile(unknown, 'n02102040\nn09999999\nn01440764\n');
    await expect(indexImageNet(root, { devkitSynsetsFile: unknown })).rejects.toThrow(
      /unknown-synsets\.txt: unknown wnid n09999999/,
    );
  });

  it('reports a missing train/, an empty class folder and an unknown val class by path', async () => {
    const root = join(base, 'bad');
    await mkdir(root, { recursive: true });
    await expect(indexImageNet(root)).rejects.toThrow(`training folder not found: ${join(root, 'train')}`);
    await makeTrain(root);
    await mkdir(join(root, 'train', 'n09999999'));
    await expect(indexImageNet(root)).rejects.toThrow(
      `class folder has no images: ${join(root, 'train', 'n09999999')}`,
    );
    await rm(join(root, 'train', 'n09999999'), { recursive: true });
    await writeFixture(join(root, 'val', 'n08888888', 'a.JPEG'), 'rgb-jpeg', 8, 8);
    await expect(indexImageNet(root)).rejects.toThrow(join(root, 'val', 'n08888888'));
    await rm(join(root, 'val'), { recursive: true });
    await writeFixture(join(root, 'val', 'ILSVRC2012_val_00000001.JPEG'), 'rgb-jpeg', 8, 8);
    await expect(indexImageNet(root)).rejects.toThrow(/is flat but no LOC_val_solution/);
  });

  it('caches the index and reuses it until the options or class folders change', async () => {
    const root = join(base, 'cached');
    await makeTrain(root);
    const cacheFile = join(base, 'cache', 'index.json');
    const first = await indexImageNet(root, { cacheFile });
    expect(first.val).toBeUndefined();
    // A new file is not seen through the cache (no re-walk) ...
    await writeFixture(join(root, 'train', SORTED[0], 'zz_new.JPEG'), 'rgb-jpeg', 8, 8);
    const cached = await indexImageNet(root, { cacheFile });
    expect(cached.train.files).toEqual(first.train.files);
    expect(cached.train.labels).toBeInstanceOf(Int32Array);
    expect([...cached.train.labels]).toEqual([...first.train.labels]);
    // ... until a refresh, other options, or a changed class list.
    expect((await indexImageNet(root, { cacheFile, refresh: true })).train.files).toHaveLength(10);
    await writeFixture(join(root, 'train', SORTED[0], 'zz_newer.JPEG'), 'rgb-jpeg', 8, 8);
    expect((await indexImageNet(root, { cacheFile, extensions: ['jpeg'] })).train.files).toHaveLength(11);
    await writeFixture(join(root, 'train', SORTED[0], 'zz_newest.JPEG'), 'rgb-jpeg', 8, 8);
    await writeFixture(join(root, 'train', 'n04000000', 'x.JPEG'), 'rgb-jpeg', 8, 8);
    const changed = await indexImageNet(root, { cacheFile, extensions: ['jpeg'] });
    expect(changed.classes).toHaveLength(4);
    expect(changed.train.files).toHaveLength(13);
    await writeFile(cacheFile, '{ truncated');
    expect((await indexImageNet(root, { cacheFile })).train.files).toHaveLength(13);
  });
});

describe('indexImageFolder', () => {
  it('orders classes and files by code units (upper case first), like Python sorted()', async () => {
    const root = await makeTempDir('folder');
    for (const cls of ['b', 'B', 'a']) {
      for (const file of ['b.png', 'A.png', 'a.jpg']) await writeFixture(join(root, cls, file), 'png', 8, 8);
    }
    const split = await indexImageFolder(root);
    expect(split.files).toEqual([
      'B/A.png',
      'B/a.jpg',
      'B/b.png',
      'a/A.png',
      'a/a.jpg',
      'a/b.png',
      'b/A.png',
      'b/a.jpg',
      'b/b.png',
    ]);
    expect([...split.labels]).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    await expect(indexImageFolder(join(root, 'missing'))).rejects.toThrow(join(root, 'missing'));
  });
});
