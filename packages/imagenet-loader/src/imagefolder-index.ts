import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fg from 'fast-glob';
import { compareCodeUnits } from './code-unit-order.js';

/** File extensions (lower case, no dot) that count as images, as torchvision's list minus what sharp lacks. */
export const DEFAULT_IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff'];

/** The images of one split: paths relative to dir and their class indices. */
export interface SplitIndex {
  /** Absolute folder the file paths are relative to. */
  dir: string;
  /** Image paths relative to dir, in class order then file-name order (torchvision's ImageFolder order). */
  files: string[];
  /** Class index of each file. */
  labels: Int32Array;
}

/** Options of indexImageFolder. */
export interface ImageFolderOptions {
  /** Class folder names in index order; default: the sorted sub-folders of dir. */
  classes?: readonly string[];
  /** Accepted file extensions, case-insensitive. Default DEFAULT_IMAGE_EXTENSIONS. */
  extensions?: readonly string[];
}

async function requireDirectory(dir: string, what: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    throw new Error(`${what} not found: ${dir}`);
  }
  if (!isDir) throw new Error(`${what} is not a directory: ${dir}`);
}

/** Sorted names of the sub-folders of dir (following symbolic links). */
export async function listClassFolders(dir: string): Promise<string[]> {
  await requireDirectory(dir, 'image folder');
  const entries = await readdir(dir, { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (
      entry.isDirectory() ||
      (entry.isSymbolicLink() && (await stat(join(dir, entry.name))).isDirectory())
    ) {
      names.push(entry.name);
    }
  }
  return names.sort(compareCodeUnits);
}

/** Glob pattern matching image files with the given extensions at the given folder depth. */
export function imageGlob(extensions: readonly string[], prefix: string): string {
  const exts = extensions.map((e) => e.replace(/^\./, '').toLowerCase());
  return exts.length === 1 ? `${prefix}*.${exts[0]}` : `${prefix}*.{${exts.join(',')}}`;
}

/**
 * Indexes dir/<class>/<image> like torchvision's ImageFolder: class index = position of the folder name in
 * sorted order (or in options.classes). An empty class folder or a folder not in options.classes is an error.
 */
export async function indexImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<SplitIndex> {
  const folders = await listClassFolders(dir);
  const classes = options.classes ?? folders;
  if (classes.length === 0) throw new Error(`no class folders in ${dir}`);
  const classIndex = new Map<string, number>();
  classes.forEach((name, i) => {
    classIndex.set(name, i);
  });
  for (const folder of folders) {
    if (!classIndex.has(folder)) throw new Error(`class folder ${join(dir, folder)} is not a known class`);
  }
  const found = await fg(imageGlob(options.extensions ?? DEFAULT_IMAGE_EXTENSIONS, '*/'), {
    cwd: dir,
    onlyFiles: true,
    caseSensitiveMatch: false,
    followSymbolicLinks: true,
    dot: false,
  });
  const perClass: string[][] = classes.map(() => []);
  for (const rel of found) {
    const slash = rel.indexOf('/');
    perClass[classIndex.get(rel.slice(0, slash))!].push(rel);
  }
  const files: string[] = [];
  const labels: number[] = [];
  for (const folder of folders) {
    const k = classIndex.get(folder)!;
    const list = perClass[k];
    if (list.length === 0) throw new Error(`class folder has no images: ${join(dir, folder)}`);
    list.sort(compareCodeUnits);
  }
  perClass.forEach((list, k) => {
    for (const rel of list) {
      files.push(rel);
      labels.push(k);
    }
  });
  return { dir, files, labels: Int32Array.from(labels) };
}
