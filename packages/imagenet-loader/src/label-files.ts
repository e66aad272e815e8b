/** Non-empty lines of a text file with their 1-based line numbers (handles CRLF). */
function lines(text: string): Array<{ line: string; number: number }> {
  const out: Array<{ line: string; number: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line !== '') out.push({ line, number: i + 1 });
  });
  return out;
}

/** Parses Kaggle's LOC_synset_mapping.txt ("n01440764 tench, Tinca tinca" per line): wnid -> name, in file order. */
export function parseSynsetMapping(text: string, path: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const { line, number } of lines(text)) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) throw new Error(`${path}:${number}: cannot parse synset line "${line}"`);
    names.set(match[1], match[2]);
  }
  return names;
}

/** Parses a wnid list: one wnid per line (first token), in devkit id order, so line k has ILSVRC2012_ID k. */
export function parseWnidList(text: string, path: string): string[] {
  const wnids = lines(text).map(({ line }) => line.split(/\s+/)[0]);
  if (wnids.length === 0) throw new Error(`${path}: no wnids`);
  return wnids;
}

/** Parses Kaggle's LOC_val_solution.csv: image id (file name without extension) -> wnid of the first box. */
export function parseKaggleValSolution(text: string, path: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const { line, number } of lines(text)) {
    if (number === 1 && line.startsWith('ImageId')) continue;
    const comma = line.indexOf(',');
    const wnid =
      comma < 0
        ? ''
        : line
            .slice(comma + 1)
            .trim()
            .split(/\s+/)[0];
    if (comma <= 0 || wnid === '') throw new Error(`${path}:${number}: cannot parse "${line}"`);
    out.set(line.slice(0, comma).trim(), wnid);
  }
  return out;
}

/** Parses the devkit's ILSVRC2012_validation_ground_truth.txt: entry i is the 1-based devkit id of image i+1. */
export function parseDevkitGroundTruth(text: string, path: string): Int32Array {
  const ids = lines(text).map(({ line, number }) => {
    const id = Number(line);
    if (!Number.isInteger(id) || id < 1) throw new Error(`${path}:${number}: bad class id "${line}"`);
    return id;
  });
  return Int32Array.from(ids);
}

/** Number in an ILSVRC validation file name (ILSVRC2012_val_00000042.JPEG -> 42), or undefined. */
export function validationImageNumber(fileName: string): number | undefined {
  const match = /_val_(\d+)\.[^.]+$/i.exec(fileName);
  return match ? Number(match[1]) : undefined;
}
