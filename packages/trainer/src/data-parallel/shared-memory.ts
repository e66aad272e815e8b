import type { WeightLayout } from './weight-layout';

/** The buffers behind {@link SharedTrainingMemory}, as a worker receives them. */
export interface SharedBuffers {
  count: number;
  gradientLength: number;
  gradients: SharedArrayBuffer;
  state: SharedArrayBuffer;
  signals: SharedArrayBuffer;
}

/**
 * The memory replicas share: one flat float32 gradient region per worker replica (1 .. count-1), the
 * model state the main thread publishes, and int32 signals. Messages carry only the small things (the batch
 * share, losses); the large arrays never pass through a structured clone. The signals order the plain writes
 * of the arrays: a writer fills its array, then `Atomics.store`s a number the reader checks with
 * `Atomics.load` before it reads (a sequentially consistent pair, so the reader sees the whole array).
 */
export class SharedTrainingMemory {
  readonly buffers: SharedBuffers;
  private readonly signals: Int32Array;

  private constructor(buffers: SharedBuffers) {
    this.buffers = buffers;
    this.signals = new Int32Array(buffers.signals);
  }

  static create(count: number, gradients: WeightLayout, state: WeightLayout): SharedTrainingMemory {
    return new SharedTrainingMemory({
      count,
      gradientLength: gradients.length,
      gradients: new SharedArrayBuffer(4 * (count - 1) * gradients.length),
      state: new SharedArrayBuffer(4 * state.length),
      signals: new SharedArrayBuffer(4 * (1 + count)),
    });
  }

  static attach(buffers: SharedBuffers): SharedTrainingMemory {
    return new SharedTrainingMemory(buffers);
  }

  /** Worker replica `r`'s gradients (r >= 1), laid out as the gradient layout. */
  gradientRegion(r: number): Float32Array {
    const n = this.buffers.gradientLength;
    return new Float32Array(this.buffers.gradients, 4 * (r - 1) * n, n);
  }

  /** The published model state, laid out as the state layout. */
  state(): Float32Array {
    return new Float32Array(this.buffers.state);
  }

  /** Marks the state as written for publication `version`. */
  statePublished(version: number): void {
    Atomics.store(this.signals, 0, version);
  }

  /** The publication the state holds now. */
  stateVersion(): number {
    return Atomics.load(this.signals, 0);
  }

  /** Marks replica `r`'s gradients as written for `step`. */
  gradientsWritten(r: number, step: number): void {
    Atomics.store(this.signals, 1 + r, step);
  }

  /** The step whose gradients replica `r`'s region holds. */
  gradientStep(r: number): number {
    return Atomics.load(this.signals, 1 + r);
  }
}
