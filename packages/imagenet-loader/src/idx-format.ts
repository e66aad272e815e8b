import { readFile, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';

/** Typed array holding the values of an IDX file (big-endian on disk, native in memory). */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** An n-dimensional array read from or written to the IDX format of MNIST. */
export interface IdxArray {
  dims: number[];
  data: IdxData;
}

interface IdxType {
  code: number;
  size: number;
  make: (n: number) => IdxData;
  get: (view: DataView, offset: number) => number;
  set: (view: DataView, offset: number, value: number) => void;
}

const TYPES: IdxType[] = [
  {
    code: 0x08,
    size: 1,
    make: (n) => new Uint8Array(n),
    get: (v, o) => v.getUint8(o),
    set: (v, o, x) => v.setUint8(o, x),
  },
  {
    code: 0x09,
    size: 1,
    make: (n) => new Int8Array(n),
    get: (v, o) => v.getInt8(o),
    set: (v, o, x) => v.setInt8(o, x),
  },
  {
    code: 0x0b,
    size: 2,
    make: (n) => new Int16Array(n),
    get: (v, o) => v.getInt16(o),
    set: (v, o, x) => v.setInt16(o, x),
  },
  {
    code: 0x0c,
    size: 4,
    make: (n) => new Int32Array(n),
    get: (v, o) => v.getInt32(o),
    set: (v, o, x) => v.setInt32(o, x),
  },
  {
    code: 0x0d,
    size: 4,
    make: (n) => new Float32Array(n),
    get: (v, o) => v.getFloat32(o),
    set: (v, o, x) => v.setFloat32(o, x),
  },
  {
    code: 0x0e,
    size: 8,
    make: (n) => new Float64Array(n),
    get: (v, o) => v.getFloat64(o),
    set: (v, o, x) => v.setFloat64(o, x),
  },
];

function typeOf(data: IdxData): IdxType {
  if (data instanceof Uint8Array) return TYPES[0];
  if (data instanceof Int8Array) return TYPES[1];
  if (data instanceof Int16Array) return TYPES[2];
  if (data instanceof Int32Array) return TYPES[3];
  if (data instanceof Float32Array) return TYPES[4];
  return TYPES[5];
}

/** Parses the bytes of an (already gunzipped) IDX file; name is used in error messages. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: not an IDX file (bad magic number)`);
  }
  const type = TYPES.find((t) => t.code === bytes[2]);
  if (!type) throw new Error(`${name}: unknown IDX data type 0x${bytes[2].toString(16)}`);
  const rank = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new Error(`${name}: truncated IDX header`);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = header + count * type.size;
  if (bytes.length < expected) {
    throw new Error(
      `${name}: truncated IDX file (${bytes.length} bytes, expected ${expected} for [${dims}])`,
    );
  }
  if (bytes.length > expected)
    throw new Error(`${name}: ${bytes.length - expected} trailing bytes after IDX data`);
  let data: IdxData;
  if (type.size === 1) {
    // A plain copy: Buffer#slice would return a Buffer view of the whole file.
    const copy = new Uint8Array(count);
    copy.set(bytes.subarray(header, expected));
    data = type.code === 0x08 ? copy : new Int8Array(copy.buffer);
  } else {
    data = type.make(count);
    for (let i = 0; i < count; i++) data[i] = type.get(view, header + i * type.size);
  }
  return { dims, data };
}

/** Reads an IDX file, gunzipping it first when it starts with the gzip magic (as the *.gz downloads do). */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${path}: cannot gunzip (${(error as Error).message})`);
    }
  }
  return parseIdx(bytes, path);
}

/** Encodes an array in the IDX format. */
export function encodeIdx(array: IdxArray): Buffer {
  const type = typeOf(array.data);
  const count = array.dims.reduce((a, b) => a * b, 1);
  if (count !== array.data.length)
    throw new Error(`encodeIdx: dims [${array.dims}] do not match ${array.data.length}`);
  const header = 4 + 4 * array.dims.length;
  const out = Buffer.alloc(header + count * type.size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[2] = type.code;
  out[3] = array.dims.length;
  array.dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d);
  });
  for (let i = 0; i < count; i++) type.set(view, header + i * type.size, array.data[i]);
  return out;
}

/** Writes an IDX file, gzipped when the path ends in .gz. */
export async function writeIdxFile(path: string, array: IdxArray): Promise<void> {
  const bytes = encodeIdx(array);
  await writeFile(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}
