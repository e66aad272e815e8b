import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

const MAGIC = 'BIOPROP-CKPT-1\n';

/** One tensor's place in a checkpoint file. */
interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

interface Header {
  meta: unknown;
  tensors: TensorEntry[];
}

/** What a checkpoint holds: named float32 tensors and JSON metadata. */
export interface CheckpointContents<M> {
  meta: M;
  tensors: Record<string, tf.Tensor>;
}

/**
 * Writes a checkpoint as one file: magic, header length, JSON header, then the float32 data. It is written to a
 * temporary name, flushed to disk and renamed, so a crash or kill mid-write leaves the previous file intact.
 */
export async function writeCheckpoint<M>(path: string, contents: CheckpointContents<M>): Promise<void> {
  const entries: TensorEntry[] = [];
  const arrays: Float32Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(contents.tensors)) {
    if (t.dtype !== 'float32')
      throw new Error(`checkpoint: tensor '${name}' is ${t.dtype}, only float32 is stored`);
    const data = (await t.data()) as Float32Array;
    entries.push({ name, shape: t.shape, offset });
    arrays.push(data);
    offset += data.length;
  }
  const header = Buffer.from(JSON.stringify({ meta: contents.meta, tensors: entries } satisfies Header));
  const lengths = Buffer.alloc(8);
  lengths.writeBigUInt64LE(BigInt(header.length));
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, Buffer.from(MAGIC));
    writeSync(fd, lengths);
    writeSync(fd, header);
    for (const a of arrays) writeSync(fd, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // Make the rename itself durable.
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Reads a checkpoint written by {@link writeCheckpoint}; a damaged file is an error naming it. */
export function readCheckpoint<M>(path: string): CheckpointContents<M> {
  const buf = readFileSync(path);
  const fail = (why: string): never => {
    throw new Error(`checkpoint ${path} is unreadable: ${why}`);
  };
  if (buf.length < MAGIC.length + 8 || buf.subarray(0, MAGIC.length).toString() !== MAGIC) {
    fail('not a BioProp checkpoint (bad magic)');
  }
  const headerLength = Number(buf.readBigUInt64LE(MAGIC.length));
  const headerStart = MAGIC.length + 8;
  const dataStart = headerStart + headerLength;
  if (dataStart > buf.length) fail('truncated header');
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(headerStart, dataStart).toString());
  } catch (err) {
    return fail(`corrupt header (${(err as Error).message})`);
  }
  const floats = Math.floor((buf.length - dataStart) / 4);
  const data = new Float32Array(floats);
  new Uint8Array(data.buffer).set(buf.subarray(dataStart, dataStart + floats * 4));
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of header.tensors) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size > floats) {
      tf.dispose(Object.values(tensors));
      fail(`truncated data for tensor '${e.name}'`);
    }
    tensors[e.name] = tf.tensor(data.subarray(e.offset, e.offset + size), e.shape, 'float32');
  }
  return { meta: header.meta as M, tensors };
}
