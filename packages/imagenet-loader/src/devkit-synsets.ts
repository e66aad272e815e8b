import { readFile } from 'node:fs/promises';
import { parseWnidList } from './label-files.js';

/** wnids in devkit id order (entry k-1 has ILSVRC2012_ID k) from a text file with one wnid per line. */
export async function readDevkitSynsets(path: string): Promise<string[]> {
  return parseWnidList(await readFile(path, 'utf8'), path);
}
