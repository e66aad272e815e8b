import { readFile } from 'node:fs/promises';
import { parseWnidList } from './label-files.js';
import { parseMatV5 } from './matlab-v5.js';

/** wnids by devkit id (entry k-1 has ILSVRC2012_ID k) from the devkit's meta.mat "synsets" struct array. */
export function devkitSynsetsFromMat(bytes: Uint8Array, path: string): string[] {
  const synsets = parseMatV5(bytes, path).get('synsets');
  if (synsets?.kind !== 'struct') throw new Error(`${path}: no "synsets" struct array`);
  const wnids: string[] = [];
  for (const entry of synsets.elements) {
    const id = entry.ILSVRC2012_ID;
    const wnid = entry.WNID;
    if (id?.kind !== 'numeric' || wnid?.kind !== 'char') {
      throw new Error(`${path}: synsets entries need numeric ILSVRC2012_ID and char WNID fields`);
    }
    const k = id.data[0];
    if (!Number.isInteger(k) || k < 1) throw new Error(`${path}: bad ILSVRC2012_ID ${k}`);
    if (wnids[k - 1] !== undefined) throw new Error(`${path}: duplicate ILSVRC2012_ID ${k}`);
    wnids[k - 1] = wnid.text;
  }
  return wnids;
}

/**
 * wnids in devkit id order (entry k-1 has ILSVRC2012_ID k): from the devkit's meta.mat (MATLAB v5) or from a
 * text file with one wnid per line in id order.
 */
export async function readDevkitSynsets(path: string): Promise<string[]> {
  const bytes = await readFile(path);
  if (path.toLowerCase().endsWith('.mat')) return devkitSynsetsFromMat(bytes, path);
  return parseWnidList(bytes.toString('utf8'), path);
}
