import type * as tf from '@tensorflow/tfjs-core';

/** Receives, during a backward pass, each asymmetric op's incoming error and the weights it used. */
export interface AlignmentProbe {
  record(entry: {
    name: string;
    kind: 'conv2d' | 'dense';
    dy: tf.Tensor;
    kernel: tf.Tensor;
    feedback: tf.Tensor;
    dx: tf.Tensor;
    bpDx: () => tf.Tensor;
  }): void;
}

let active: AlignmentProbe | null = null;

/** The probe of the running `withAlignmentProbe` call, if any. */
export function currentAlignmentProbe(): AlignmentProbe | null {
  return active;
}

/** Runs `fn` (a forward + backward pass) with `probe` listening to every asymmetric op's backward step. */
export function withAlignmentProbe<T>(probe: AlignmentProbe, fn: () => T): T {
  const previous = active;
  active = probe;
  try {
    return fn();
  } finally {
    active = previous;
  }
}
