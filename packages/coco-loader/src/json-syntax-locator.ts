import { verifyFile } from 'stream-json/file/verifier.js';
import { CocoFormatError } from './coco-format-error.js';
import { JsonStructureError } from './json-element-stream.js';

/** Where a JSON syntax error is and what it is, as stream-json's verifier reports it. */
export interface JsonSyntaxLocation {
  message: string;
  line: number;
  column: number;
  offset: number;
}

/**
 * Finds the first JSON syntax error of a file with stream-json's streaming verifier, which names
 * line, column and offset for files of any size (JSON.parse cannot take files over ~512 MB and its
 * messages do not always carry a position). Returns null for a syntactically valid file.
 */
export async function locateJsonSyntaxError(path: string): Promise<JsonSyntaxLocation | null> {
  try {
    await verifyFile(path, { readBlockSize: 1 << 20 });
    return null;
  } catch (err) {
    const e = err as { message?: string; line?: number; pos?: number; offset?: number };
    if (typeof e.offset !== 'number') throw err;
    // the verifier prefixes its message with the position, which we report separately
    const message = String(e.message ?? 'invalid JSON').replace(/^ERROR at \d+ \(\d+, \d+\): /, '');
    return { message, line: e.line ?? 0, column: e.pos ?? 0, offset: e.offset };
  }
}

/** Formats a location as "line L, column C (offset O): message". */
export function describeJsonSyntaxError(loc: JsonSyntaxLocation): string {
  return `malformed JSON at line ${loc.line}, column ${loc.column} (character offset ${loc.offset}): ${loc.message}`;
}

/** Turns a parse failure into a CocoFormatError naming the file and, for syntax errors, the position. */
export async function explainParseError(path: string, err: unknown): Promise<unknown> {
  if (err instanceof CocoFormatError) return err;
  if (err instanceof SyntaxError || err instanceof JsonStructureError) {
    const loc = await locateJsonSyntaxError(path);
    if (loc) return new CocoFormatError(path, describeJsonSyntaxError(loc));
    if (err instanceof JsonStructureError) {
      return new CocoFormatError(path, `${err.message} at byte offset ${err.byteOffset}`);
    }
    return new CocoFormatError(path, `malformed JSON: ${err.message}`);
  }
  if (err instanceof RangeError && /string length/i.test(err.message)) {
    return new CocoFormatError(path, `too large for one JSON.parse (${err.message}); lower fastPathBytes`);
  }
  return err;
}
