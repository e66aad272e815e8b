import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devkitSynsetsFromMat, readDevkitSynsets } from './devkit-synsets.js';
import { parseMatV5 } from './matlab-v5.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

describe('MATLAB v5 reader', () => {
  it('reads a struct array, numeric and cell variables written by SciPy', async () => {
    const vars = parseMatV5(await readFile(fixture('meta-plain.mat')), 'meta-plain.mat');
    expect([...vars.keys()]).toEqual(['synsets', 'other', 'cells']);
    const synsets = vars.get('synsets')!;
    if (synsets.kind !== 'struct') throw new Error('expected a struct');
    expect(synsets.dims).toEqual([5, 1]);
    expect(synsets.fields).toEqual([
      'ILSVRC2012_ID',
      'WNID',
      'words',
      'gloss',
      'num_children',
      'children',
      'wordnet_height',
      'num_train_images',
    ]);
    expect(synsets.elements[2].WNID).toEqual({ kind: 'char', dims: [1, 9], text: 'n01440764' });
    expect(synsets.elements[3].gloss).toMatchObject({ text: 'a living organism (\u00fcn\u00efcode)' });
    expect(synsets.elements[3].children).toEqual({ kind: 'numeric', dims: [1, 2], data: [1, 3] });
    expect(synsets.elements[0].children).toMatchObject({ kind: 'numeric', data: [] });
    // Column-major storage of a 2x3 uint8 matrix [[0 1 2], [3 4 5]].
    expect(vars.get('other')).toEqual({ kind: 'numeric', dims: [2, 3], data: [0, 3, 1, 4, 2, 5] });
    const cells = vars.get('cells')!;
    if (cells.kind !== 'cell') throw new Error('expected a cell array');
    expect(cells.elements[0]).toMatchObject({ kind: 'char', text: 'ab' });
    expect(cells.elements[1]).toMatchObject({ kind: 'numeric', data: [1.5] });
  });

  it('maps devkit ids to wnids from compressed and plain files alike', async () => {
    const expected = ['n02102040', 'n03000134', 'n01440764', 'n00000004', 'n00000005'];
    expect(await readDevkitSynsets(fixture('meta-compressed.mat'))).toEqual(expected);
    expect(await readDevkitSynsets(fixture('meta-plain.mat'))).toEqual(expected);
  });

  it('names the file when it is not a MAT file or is cut short', async () => {
    const bytes = await readFile(fixture('meta-compressed.mat'));
    expect(() => parseMatV5(bytes.subarray(0, 100), 'short.mat')).toThrow(/short\.mat: too short/);
    expect(() => parseMatV5(Buffer.alloc(200), 'zero.mat')).toThrow(/zero\.mat: not a MATLAB v5 file/);
    expect(() => parseMatV5(bytes.subarray(0, bytes.length - 40), 'cut.mat')).toThrow(/cut\.mat/);
    const plain = await readFile(fixture('meta-plain.mat'));
    expect(() => devkitSynsetsFromMat(plain.subarray(0, 128), 'empty.mat')).toThrow(
      /empty\.mat: no "synsets"/,
    );
  });
});
