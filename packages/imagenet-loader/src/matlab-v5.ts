import { inflateSync } from 'node:zlib';

/** A value read from a MATLAB v5 .mat file. */
export type MatValue =
  | { kind: 'numeric'; dims: number[]; data: number[] }
  | { kind: 'char'; dims: number[]; text: string }
  | { kind: 'struct'; dims: number[]; fields: string[]; elements: Array<Record<string, MatValue>> }
  | { kind: 'cell'; dims: number[]; elements: MatValue[] };

const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_INT16 = 3;
const MI_UINT16 = 4;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_SINGLE = 7;
const MI_DOUBLE = 9;
const MI_INT64 = 12;
const MI_UINT64 = 13;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MI_UTF8 = 16;
const MI_UTF16 = 17;

const MX_CELL = 1;
const MX_STRUCT = 2;
const MX_OBJECT = 3;
const MX_CHAR = 4;
const MX_SPARSE = 5;

interface Element {
  type: number;
  data: Uint8Array;
}

/** Sequential reader of data elements (tag + payload, 8-byte aligned) in one byte order. */
class ElementReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly little: boolean,
    private readonly name: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.offset + 8 > this.bytes.length;
  }

  next(): Element {
    if (this.done) throw new Error(`${this.name}: truncated MAT element`);
    const first = this.view.getUint32(this.offset, this.little);
    // Small data element format: type and size share the first word, data sits in the second.
    if (first >>> 16 !== 0) {
      const size = first >>> 16;
      if (size > 4) throw new Error(`${this.name}: bad small element size ${size}`);
      const data = this.bytes.subarray(this.offset + 4, this.offset + 4 + size);
      this.offset += 8;
      return { type: first & 0xffff, data };
    }
    const size = this.view.getUint32(this.offset + 4, this.little);
    const start = this.offset + 8;
    if (start + size > this.bytes.length) throw new Error(`${this.name}: truncated MAT element`);
    // Compressed elements are not padded; all others are padded to 8 bytes.
    this.offset = first === MI_COMPRESSED ? start + size : start + Math.ceil(size / 8) * 8;
    return { type: first, data: this.bytes.subarray(start, start + size) };
  }
}

function numbers(el: Element, little: boolean, name: string): number[] {
  const v = new DataView(el.data.buffer, el.data.byteOffset, el.data.byteLength);
  const read: Record<number, [number, (o: number) => number]> = {
    [MI_INT8]: [1, (o) => v.getInt8(o)],
    [MI_UINT8]: [1, (o) => v.getUint8(o)],
    [MI_UTF8]: [1, (o) => v.getUint8(o)],
    [MI_INT16]: [2, (o) => v.getInt16(o, little)],
    [MI_UINT16]: [2, (o) => v.getUint16(o, little)],
    [MI_UTF16]: [2, (o) => v.getUint16(o, little)],
    [MI_INT32]: [4, (o) => v.getInt32(o, little)],
    [MI_UINT32]: [4, (o) => v.getUint32(o, little)],
    [MI_SINGLE]: [4, (o) => v.getFloat32(o, little)],
    [MI_DOUBLE]: [8, (o) => v.getFloat64(o, little)],
    [MI_INT64]: [8, (o) => Number(v.getBigInt64(o, little))],
    [MI_UINT64]: [8, (o) => Number(v.getBigUint64(o, little))],
  };
  const entry = read[el.type];
  if (!entry) throw new Error(`${name}: unsupported MAT data type ${el.type}`);
  const [size, get] = entry;
  return Array.from({ length: Math.floor(el.data.length / size) }, (_, i) => get(i * size));
}

function charText(el: Element, dims: number[], little: boolean, name: string): string {
  const codes =
    el.type === MI_UTF8
      ? [...new TextDecoder().decode(el.data)].map((c) => c.codePointAt(0)!)
      : numbers(el, little, name);
  const rows = dims[0] ?? 0;
  if (rows <= 1) return String.fromCodePoint(...codes);
  // Column-major char matrix: return the rows joined by newlines.
  const cols = codes.length / rows;
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < cols; c++) line += String.fromCodePoint(codes[c * rows + r]);
    lines.push(line);
  }
  return lines.join('\n');
}

function parseMatrix(data: Uint8Array, little: boolean, name: string): MatValue {
  const r = new ElementReader(data, little, name);
  if (r.done) return { kind: 'numeric', dims: [0, 0], data: [] }; // empty matrix
  const flags = numbers(r.next(), little, name);
  const mxClass = flags[0] & 0xff;
  const dims = numbers(r.next(), little, name);
  r.next(); // array name (empty inside structs and cells)
  const count = dims.reduce((a, b) => a * b, 1);
  if (mxClass === MX_STRUCT || mxClass === MX_OBJECT) {
    if (mxClass === MX_OBJECT) r.next(); // class name
    const fieldLength = numbers(r.next(), little, name)[0];
    const rawNames = r.next().data;
    const fields: string[] = [];
    for (let i = 0; i + fieldLength <= rawNames.length; i += fieldLength) {
      const chunk = rawNames.subarray(i, i + fieldLength);
      const end = chunk.indexOf(0);
      fields.push(new TextDecoder().decode(end < 0 ? chunk : chunk.subarray(0, end)));
    }
    const elements: Array<Record<string, MatValue>> = [];
    for (let e = 0; e < count; e++) {
      const record: Record<string, MatValue> = {};
      for (const field of fields) record[field] = readMatrixElement(r.next(), little, name);
      elements.push(record);
    }
    return { kind: 'struct', dims, fields, elements };
  }
  if (mxClass === MX_CELL) {
    const elements = Array.from({ length: count }, () => readMatrixElement(r.next(), little, name));
    return { kind: 'cell', dims, elements };
  }
  if (mxClass === MX_SPARSE) throw new Error(`${name}: sparse MAT arrays are not supported`);
  if (count === 0)
    return mxClass === MX_CHAR ? { kind: 'char', dims, text: '' } : { kind: 'numeric', dims, data: [] };
  const real = r.next();
  if (mxClass === MX_CHAR) return { kind: 'char', dims, text: charText(real, dims, little, name) };
  return { kind: 'numeric', dims, data: numbers(real, little, name) };
}

function readMatrixElement(el: Element, little: boolean, name: string): MatValue {
  if (el.type === MI_COMPRESSED) {
    const inner = new ElementReader(inflateSync(el.data), little, name).next();
    return readMatrixElement(inner, little, name);
  }
  if (el.type !== MI_MATRIX) throw new Error(`${name}: expected a MAT matrix element, found type ${el.type}`);
  return parseMatrix(el.data, little, name);
}

/** Top-level variables of a MATLAB v5 .mat file (the format of the ILSVRC devkit's meta.mat). */
export function parseMatV5(bytes: Uint8Array, name: string): Map<string, MatValue> {
  if (bytes.length < 128) throw new Error(`${name}: too short for a MAT file`);
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  if (endian !== 'IM' && endian !== 'MI') throw new Error(`${name}: not a MATLAB v5 file`);
  const little = endian === 'IM';
  const reader = new ElementReader(bytes.subarray(128), little, name);
  const vars = new Map<string, MatValue>();
  while (!reader.done) {
    let el = reader.next();
    if (el.type === MI_COMPRESSED) {
      try {
        el = new ElementReader(inflateSync(el.data), little, name).next();
      } catch (error) {
        throw new Error(`${name}: cannot inflate MAT element (${(error as Error).message})`);
      }
    }
    if (el.type !== MI_MATRIX) continue;
    // The variable name is the third sub-element of the matrix.
    const sub = new ElementReader(el.data, little, name);
    sub.next();
    sub.next();
    const varName = new TextDecoder().decode(sub.next().data);
    vars.set(varName, parseMatrix(el.data, little, name));
  }
  return vars;
}
