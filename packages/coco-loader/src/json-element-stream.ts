import { open } from 'node:fs/promises';

/** Receives the top-level values of a JSON document as they are read. */
export interface JsonElementHandlers {
  /** One element of a streamed array: `key` is the top-level key ('' for a top-level array). */
  element(key: string, index: number, value: unknown): void;
  /** A whole top-level value of a key that is not streamed. */
  value?(key: string, value: unknown): void;
}

/** Thrown when the document's structure is not what the scanner can split; the caller locates the syntax error. */
export class JsonStructureError extends Error {
  constructor(
    message: string,
    readonly byteOffset: number,
  ) {
    super(message);
    this.name = 'JsonStructureError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const STRUCTURAL = new Uint8Array(256);
for (const c of [QUOTE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET]) STRUCTURAL[c] = 1;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

// Scanner states at the top two levels; deeper levels only track depth and strings.
enum S {
  Start,
  KeyOrEnd, // after '{' of the top-level object
  KeyRequired, // after ',' between top-level members
  Key, // inside a top-level key string
  Colon,
  ValueStart,
  Value, // inside a top-level value that is not streamed
  AfterValue,
  ElemOrEnd, // after '[' of a streamed array
  ElemRequired, // after ',' in a streamed array
  Elem, // inside an element
  AfterElem,
  Done,
}

/**
 * Streams a JSON file of any size: the elements of the top-level arrays named in `streamedKeys`
 * (or of a top-level array) are cut out one by one by a byte scanner that follows strings and
 * nesting, and each is handed to JSON.parse. This is several times faster than a token parser on
 * COCO files, whose bulk is segmentation polygons we never look at, and never holds the whole text.
 * Streamed elements must be objects. Syntax errors surface as JSON.parse failures or
 * JsonStructureError; callers locate them exactly.
 */
export async function streamJsonElements(
  path: string,
  streamedKeys: ReadonlySet<string>,
  handlers: JsonElementHandlers,
  chunkSize = 4 << 20,
): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkSize);
    let state: S = S.Start;
    let depth = 0;
    let elemBase = 0; // depth of the array holding the streamed elements
    let inString = false;
    let escaped = false;
    let key = '';
    let index = 0;
    // pieces of the element, value or key being cut, when it spans chunks
    let pieces: Buffer[] = [];
    let start = -1; // start of the current piece within the chunk, -1 when not capturing
    let fileOffset = 0;

    const take = (chunk: Buffer, end: number): string => {
      const tail = chunk.subarray(start, end);
      const text = pieces.length ? Buffer.concat([...pieces, tail]).toString('utf8') : tail.toString('utf8');
      pieces = [];
      start = -1;
      return text;
    };
    const fail = (msg: string, at: number): never => {
      throw new JsonStructureError(msg, fileOffset + at);
    };

    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkSize, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      for (let i = 0; i < bytesRead; i++) {
        if (state === S.Elem && !inString) {
          // most bytes of an element (digits, commas) are not structural: skip them in a tight loop
          while (i < bytesRead && STRUCTURAL[chunk[i]] === 0) i++;
          if (i === bytesRead) break;
        }
        const c = chunk[i];
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (state === S.Key) {
              key = JSON.parse(take(chunk, i + 1)) as string;
              state = S.Colon;
            }
          }
          continue;
        }
        if (state === S.Elem) {
          if (c === QUOTE) inString = true;
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
          else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            if (--depth === elemBase) {
              handlers.element(key, index++, JSON.parse(take(chunk, i + 1)));
              state = S.AfterElem;
            }
          }
          continue;
        }
        if (state === S.Value) {
          if (c === QUOTE) inString = true;
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
          else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            if (--depth === 0) {
              // the top-level object's own '}' ends this value and the document
              if (c !== CLOSE_BRACE) fail("unexpected ']'", i);
              handlers.value?.(key, JSON.parse(take(chunk, i)));
              state = S.Done;
            }
          } else if (c === COMMA && depth === 1) {
            handlers.value?.(key, JSON.parse(take(chunk, i)));
            state = S.KeyRequired;
          }
          continue;
        }
        if (isSpace(c)) continue;
        switch (state) {
          case S.Start:
            // a UTF-8 byte-order mark may precede the document
            if (fileOffset + i < 3 && c === UTF8_BOM[fileOffset + i]) break;
            if (c === OPEN_BRACE) {
              depth = 1;
              state = S.KeyOrEnd;
            } else if (c === OPEN_BRACKET) {
              depth = 1;
              elemBase = 1;
              key = '';
              index = 0;
              state = S.ElemOrEnd;
            } else fail('expected a top-level object or array', i);
            break;
          case S.KeyOrEnd:
          case S.KeyRequired:
            if (c === QUOTE) {
              inString = true;
              start = i;
              state = S.Key;
            } else if (c === CLOSE_BRACE && state === S.KeyOrEnd) {
              depth = 0;
              state = S.Done;
            } else fail('expected an object key', i);
            break;
          case S.Colon:
            if (c !== COLON) fail("expected ':'", i);
            state = S.ValueStart;
            break;
          case S.ValueStart:
            if (c === OPEN_BRACKET && streamedKeys.has(key)) {
              depth = 2;
              elemBase = 2;
              index = 0;
              state = S.ElemOrEnd;
            } else {
              start = i;
              state = S.Value;
              i--; // scan this byte again as part of the value
            }
            break;
          case S.ElemOrEnd:
          case S.ElemRequired:
            if (c === OPEN_BRACE) {
              start = i;
              depth++;
              state = S.Elem;
            } else if (c === CLOSE_BRACKET && state === S.ElemOrEnd) {
              depth--;
              state = depth === 0 ? S.Done : S.AfterValue;
            } else {
              fail(`element ${index} of ${key ? `"${key}"` : 'the top-level array'} is not an object`, i);
            }
            break;
          case S.AfterElem:
            if (c === COMMA) state = S.ElemRequired;
            else if (c === CLOSE_BRACKET) {
              depth--;
              state = depth === 0 ? S.Done : S.AfterValue;
            } else fail("expected ',' or ']' after an array element", i);
            break;
          case S.AfterValue:
            if (c === COMMA) state = S.KeyRequired;
            else if (c === CLOSE_BRACE) {
              depth = 0;
              state = S.Done;
            } else fail("expected ',' or '}'", i);
            break;
          case S.Done:
            fail('unexpected data after the end of the document', i);
            break;
        }
      }
      if (start >= 0) {
        pieces.push(Buffer.from(chunk.subarray(start)));
        start = 0;
      }
      fileOffset += bytesRead;
    }
    if (state !== S.Done) throw new JsonStructureError('unexpected end of file', fileOffset);
  } finally {
    await fh.close();
  }
}
