import * as tf from '@tensorflow/tfjs-core';
import { mixSeed } from '../rules/random-feedback';

/**
 * Random tensors made on the device with tensor ops, for draws at every training step (brSF's R) on GPU
 * backends, where tfjs's `tf.randomNormal` would fill the tensor on the host and upload it each time.
 *
 * The generator is Wichmann and Hill's (Applied Statistics algorithm AS 183): three multiplicative generators
 * `x <- a x mod m` with m = 30269, 30307, 30323, combined as `frac(x1/m1 + x2/m2 + x3/m3)` (period 6.95e12).
 * Element i of a draw is the stream's value at position `offset + i`, the offsets of its three generators
 * coming from the seed. `a^j mod m / m` is a table of m - 1 values per generator, made once per backend and
 * kept there; a draw is, per generator, a gather from the table at `(offset + i) mod (m - 1)`, an index made
 * on the device from one small vector per row and per column. All index arithmetic is exact in int32 and
 * below 2^24 (exact under webgl's float ints too), so every backend draws the same numbers up to the float32
 * rounding of the sums, `log` and `cos`. Normals come from Box-Muller on two uniforms (tails cut beyond 5.5
 * standard deviations: the smallest uniform is 2^-22).
 */
const GENERATORS = [
  { m: 30269, a: 171 },
  { m: 30307, a: 172 },
  { m: 30323, a: 170 },
] as const;

const tables = new Map<string, tf.Tensor1D[]>();

/** The three tables `a^j mod m / m`, j < m - 1, on the active backend (made on first use, then kept). */
function generatorTables(): tf.Tensor1D[] {
  const backend = tf.getBackend();
  const kept = tables.get(backend);
  if (kept?.every((t) => !t.isDisposed)) return kept;
  const made = GENERATORS.map(({ m, a }) => {
    const values = new Float32Array(m - 1);
    let x = 1;
    for (let j = 0; j < m - 1; j++) {
      values[j] = x / m;
      x = (x * a) % m;
    }
    return tf.keep(tf.tensor1d(values));
  });
  tables.set(backend, made);
  return made;
}

/** Uniform [0, 1) values of `shape` for `seed`: the combined stream from the seed's three offsets. */
function uniform(shape: number[], seed: number): tf.Tensor {
  return tf.tidy(() => {
    const size = shape.reduce((a, b) => a * b, 1);
    const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
    const rows = cols === 0 ? 0 : size / cols;
    const tbl = generatorTables();
    let sum: tf.Tensor | null = null;
    GENERATORS.forEach(({ m }, k) => {
      const period = m - 1;
      const offset = mixSeed(seed, k) % period;
      // Index of element (r, c) = (offset + r * cols + c) mod period, summed from a row and a column part.
      const rowPart = new Int32Array(rows);
      for (let r = 0; r < rows; r++) rowPart[r] = (offset + ((r * cols) % period)) % period;
      const colPart = new Int32Array(cols);
      for (let c = 0; c < cols; c++) colPart[c] = c % period;
      const index = tf.mod(
        tf.add(tf.tensor2d(rowPart, [rows, 1], 'int32'), tf.tensor2d(colPart, [1, cols], 'int32')),
        tf.scalar(period, 'int32'),
      );
      const part = tf.gather(tbl[k], index);
      sum = sum ? tf.add(sum, part) : part;
    });
    const s = sum as unknown as tf.Tensor;
    return tf.reshape(tf.sub(s, tf.floor(s)), shape);
  });
}

/** Uniform values in `[min, max)`, drawn on the device. */
export function deviceRandomUniform(shape: number[], min: number, max: number, seed: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(uniform(shape, mixSeed(seed, 11)), max - min), min));
}

/** Normal values with `mean` and `std`, drawn on the device (Box-Muller). */
export function deviceRandomNormal(shape: number[], mean: number, std: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    // 1 - u is in (0, 1]: the log is finite.
    const radius = tf.sqrt(tf.mul(tf.log(tf.sub(1, uniform(shape, mixSeed(seed, 21)))), -2));
    const angle = tf.mul(uniform(shape, mixSeed(seed, 22)), 2 * Math.PI);
    return tf.add(tf.mul(tf.mul(radius, tf.cos(angle)), std), mean);
  });
}
