import { access, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import fg from 'fast-glob';
import { compareCodeUnits } from './code-unit-order.js';
import { readDevkitSynsets } from './devkit-synsets.js';
import {
  DEFAULT_IMAGE_EXTENSIONS,
  imageGlob,
  indexImageFolder,
  listClassFolders,
  type SplitIndex,
} from './imagefolder-index.js';
import { loadIndexCache, saveIndexCache } from './index-cache.js';
import {
  parseDevkitGroundTruth,
  parseKaggleValSolution,
  parseSynsetMapping,
  validationImageNumber,
} from './label-files.js';

/** How the validation labels were found. */
export type ValLayout = 'folders' | 'kaggle-csv' | 'devkit';

/** Index of an ILSVRC-2012 tree: sorted wnids, optional names, the train split and the validation split. */
export interface ImageNetIndex {
  /** Absolute root folder. */
  root: string;
  /** wnids in class-index order (sorted, as torchvision's ImageFolder). */
  classes: string[];
  /** Human-readable names from LOC_synset_mapping.txt, parallel to classes, when found. */
  classNames?: string[];
  train: SplitIndex;
  val?: SplitIndex;
  valLayout?: ValLayout;
}

/** Where the ImageNet files are; everything except root is optional and found automatically when absent. */
export interface ImageNetIndexOptions {
  /** Training folder. Default <root>/train. */
  trainDir?: string;
  /** Validation folder. Default <root>/val; when it does not exist the index has no val split. */
  valDir?: string;
  /** Label file of a flat val folder: Kaggle's LOC_val_solution.csv or ILSVRC2012_validation_ground_truth.txt. */
  valLabelsFile?: string;
  /** Devkit synset order for the ground-truth ids: a text file with one wnid per line in id order, or meta.mat. */
  devkitSynsetsFile?: string;
  /** LOC_synset_mapping.txt for class names. */
  synsetMappingFile?: string;
  /** Accepted image extensions. Default DEFAULT_IMAGE_EXTENSIONS. */
  extensions?: readonly string[];
  /** JSON file to store the index in and reuse on the next call (skips walking 1.28 M files). */
  cacheFile?: string;
  /** Rebuild the index even if the cache file is valid. */
  refresh?: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Looks for name in root, its devkit data folder, and up to three ancestors (Kaggle nests the tree). */
async function discover(root: string, names: readonly string[]): Promise<string | undefined> {
  let dir = root;
  for (let level = 0; level < 4; level++) {
    for (const name of names) {
      for (const candidate of [join(dir, name), join(dir, 'ILSVRC2012_devkit_t12', 'data', name)]) {
        if (await exists(candidate)) return candidate;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

async function indexFlatVal(
  valDir: string,
  classes: readonly string[],
  extensions: readonly string[],
  labelsFile: string,
  devkitSynsetsFile: string | undefined,
): Promise<{ split: SplitIndex; layout: ValLayout }> {
  const classIndex = new Map(classes.map((wnid, i) => [wnid, i] as const));
  const files = (
    await fg(imageGlob(extensions, ''), { cwd: valDir, onlyFiles: true, caseSensitiveMatch: false })
  ).sort(compareCodeUnits);
  if (files.length === 0) throw new Error(`no images in ${valDir}`);
  const text = await readFile(labelsFile, 'utf8');
  const labels = new Int32Array(files.length);
  const kaggle = extname(labelsFile).toLowerCase() === '.csv' || text.startsWith('ImageId');
  if (kaggle) {
    const solution = parseKaggleValSolution(text, labelsFile);
    files.forEach((file, i) => {
      const id = basename(file, extname(file));
      const wnid = solution.get(id);
      if (wnid === undefined) throw new Error(`${labelsFile} has no label for ${join(valDir, file)}`);
      const k = classIndex.get(wnid);
      if (k === undefined) throw new Error(`${labelsFile}: unknown wnid ${wnid} (image ${id})`);
      labels[i] = k;
    });
    return { split: { dir: valDir, files, labels }, layout: 'kaggle-csv' };
  }
  if (!devkitSynsetsFile) {
    throw new Error(
      `${labelsFile} holds devkit class ids: give devkitSynsetsFile (meta.mat or one wnid per line in devkit order)`,
    );
  }
  const truth = parseDevkitGroundTruth(text, labelsFile);
  const devkitWnids = await readDevkitSynsets(devkitSynsetsFile);
  files.forEach((file, i) => {
    const n = validationImageNumber(file);
    if (n === undefined || n < 1 || n > truth.length) {
      throw new Error(`${labelsFile} has no label for ${join(valDir, file)}`);
    }
    const id = truth[n - 1];
    const wnid = devkitWnids[id - 1];
    if (wnid === undefined)
      throw new Error(`${devkitSynsetsFile} has no synset with id ${id} (in ${labelsFile})`);
    const k = classIndex.get(wnid);
    if (k === undefined) throw new Error(`${devkitSynsetsFile}: unknown wnid ${wnid} (id ${id})`);
    labels[i] = k;
  });
  return { split: { dir: valDir, files, labels }, layout: 'devkit' };
}

async function buildIndex(root: string, options: ImageNetIndexOptions): Promise<ImageNetIndex> {
  const extensions = options.extensions ?? DEFAULT_IMAGE_EXTENSIONS;
  const trainDir = resolve(options.trainDir ?? join(root, 'train'));
  if (!(await exists(trainDir))) throw new Error(`training folder not found: ${trainDir}`);
  const train = await indexImageFolder(trainDir, { extensions });
  const classes = await listClassFolders(trainDir);
  const index: ImageNetIndex = { root, classes, train };

  const mappingFile = options.synsetMappingFile ?? (await discover(root, ['LOC_synset_mapping.txt']));
  if (mappingFile) {
    const names = parseSynsetMapping(await readFile(mappingFile, 'utf8'), mappingFile);
    index.classNames = classes.map((wnid) => names.get(wnid) ?? wnid);
  }

  const valDir = resolve(options.valDir ?? join(root, 'val'));
  if (!(await exists(valDir))) {
    if (options.valDir) throw new Error(`validation folder not found: ${valDir}`);
    return index;
  }
  if ((await listClassFolders(valDir)).length > 0) {
    index.val = await indexImageFolder(valDir, { classes, extensions });
    index.valLayout = 'folders';
    return index;
  }
  const labelsFile =
    options.valLabelsFile ??
    (await discover(root, ['LOC_val_solution.csv', 'ILSVRC2012_validation_ground_truth.txt']));
  if (!labelsFile) {
    throw new Error(
      `validation folder ${valDir} is flat but no LOC_val_solution.csv or ILSVRC2012_validation_ground_truth.txt was found`,
    );
  }
  const devkitSynsetsFile = options.devkitSynsetsFile ?? (await discover(root, ['meta.mat']));
  const { split, layout } = await indexFlatVal(valDir, classes, extensions, labelsFile, devkitSynsetsFile);
  index.val = split;
  index.valLayout = layout;
  return index;
}

/** Options that change the index; a cache built with other values is not reused. */
function fingerprint(root: string, options: ImageNetIndexOptions): string {
  return JSON.stringify({
    root,
    trainDir: options.trainDir ? resolve(options.trainDir) : null,
    valDir: options.valDir ? resolve(options.valDir) : null,
    valLabelsFile: options.valLabelsFile ? resolve(options.valLabelsFile) : null,
    devkitSynsetsFile: options.devkitSynsetsFile ? resolve(options.devkitSynsetsFile) : null,
    synsetMappingFile: options.synsetMappingFile ? resolve(options.synsetMappingFile) : null,
    extensions: options.extensions ?? DEFAULT_IMAGE_EXTENSIONS,
  });
}

/**
 * Indexes an ILSVRC-2012 tree (train/<wnid>/ plus val/ as folders, flat with LOC_val_solution.csv, or flat
 * with the devkit ground truth), reusing options.cacheFile when it matches the options and the class folders.
 */
export async function indexImageNet(
  root: string,
  options: ImageNetIndexOptions = {},
): Promise<ImageNetIndex> {
  const absRoot = resolve(root);
  const key = fingerprint(absRoot, options);
  if (options.cacheFile && !options.refresh) {
    const cached = await loadIndexCache(options.cacheFile, key);
    const trainDir = resolve(options.trainDir ?? join(absRoot, 'train'));
    // Re-listing the ~1000 class folders is cheap and catches a cache from another tree.
    if (cached && (await exists(trainDir))) {
      const folders = await listClassFolders(trainDir);
      if (folders.length === cached.classes.length && folders.every((f, i) => f === cached.classes[i])) {
        return cached;
      }
    }
  }
  const index = await buildIndex(absRoot, options);
  if (options.cacheFile) await saveIndexCache(options.cacheFile, key, index);
  return index;
}
