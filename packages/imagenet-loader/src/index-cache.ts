import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SplitIndex } from './imagefolder-index.js';
import type { ImageNetIndex } from './imagenet-index.js';

const FORMAT = 'bioprop-imagenet-index';
const VERSION = 1;

interface StoredSplit {
  dir: string;
  files: string[];
  labels: number[];
}

interface StoredIndex {
  format: string;
  version: number;
  key: string;
  root: string;
  classes: string[];
  classNames?: string[];
  train: StoredSplit;
  val?: StoredSplit;
  valLayout?: ImageNetIndex['valLayout'];
}

function storeSplit(split: SplitIndex): StoredSplit {
  return { dir: split.dir, files: split.files, labels: Array.from(split.labels) };
}

function loadSplit(split: StoredSplit): SplitIndex {
  if (split.files.length !== split.labels.length) throw new Error('files and labels differ in length');
  return { dir: split.dir, files: split.files, labels: Int32Array.from(split.labels) };
}

/** Writes the index as JSON (to a temporary file first, so an interrupted write never leaves a bad cache). */
export async function saveIndexCache(path: string, key: string, index: ImageNetIndex): Promise<void> {
  const stored: StoredIndex = {
    format: FORMAT,
    version: VERSION,
    key,
    root: index.root,
    classes: index.classes,
    classNames: index.classNames,
    train: storeSplit(index.train),
    val: index.val && storeSplit(index.val),
    valLayout: index.valLayout,
  };
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(stored));
  await rename(tmp, path);
}

/** Reads a cached index; undefined if the file is missing, unreadable, or was built with another key. */
export async function loadIndexCache(path: string, key: string): Promise<ImageNetIndex | undefined> {
  let stored: StoredIndex;
  try {
    stored = JSON.parse(await readFile(path, 'utf8')) as StoredIndex;
  } catch {
    return undefined;
  }
  if (stored.format !== FORMAT || stored.version !== VERSION || stored.key !== key) return undefined;
  try {
    const index: ImageNetIndex = {
      root: stored.root,
      classes: stored.classes,
      train: loadSplit(stored.train),
    };
    if (stored.classNames) index.classNames = stored.classNames;
    if (stored.val) index.val = loadSplit(stored.val);
    if (stored.valLayout) index.valLayout = stored.valLayout;
    return index;
  } catch {
    return undefined;
  }
}
