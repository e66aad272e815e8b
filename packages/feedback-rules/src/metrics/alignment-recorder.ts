import * as tf from '@tensorflow/tfjs-core';
import type { AlignmentProbe } from './alignment-probe';
import { angleTensor } from './angles';

/** Alignment of one asymmetric layer on one batch. */
export interface LayerAlignment {
  layer: string;
  kind: 'conv2d' | 'dense';
  /** Angle (degrees) between the feedback B and the forward weights W. */
  feedbackAngle: number;
  /**
   * Angle (degrees) between the rule's `dx = dy * B^T` and backprop's `dy * W^T` for the same incoming
   * error `dy`: how well the rule's error signal points the way backprop's would.
   */
  dxAngle: number;
}

interface Pending {
  layer: string;
  kind: 'conv2d' | 'dense';
  /** `[feedbackAngle, dxAngle]`, still on the backend. */
  angles: tf.Tensor1D;
}

/**
 * A probe that records per-layer alignment during one backward pass; use with `withAlignmentProbe`, then
 * `await recorder.read()`. The angles are computed on the backend and read back once, asynchronously, so that
 * recording never stalls a GPU inside the backward pass. Layers appear in backward order (last layer first).
 */
export class AlignmentRecorder implements AlignmentProbe {
  private pending: Pending[] = [];
  private done: LayerAlignment[] = [];

  record(entry: Parameters<AlignmentProbe['record']>[0]): void {
    const angles = tf.tidy(() =>
      tf.stack([angleTensor(entry.feedback, entry.kernel), angleTensor(entry.dx, entry.bpDx())]),
    );
    this.pending.push({ layer: entry.name, kind: entry.kind, angles: tf.keep(angles) as tf.Tensor1D });
  }

  /** Reads the recorded angles back (one transfer for all layers) and frees them; returns every layer so far. */
  async read(): Promise<LayerAlignment[]> {
    const pending = this.pending;
    this.pending = [];
    if (pending.length > 0) {
      const all = tf.concat(pending.map((p) => p.angles));
      const values = await all.data();
      tf.dispose([all, ...pending.map((p) => p.angles)]);
      pending.forEach((p, i) => {
        this.done.push({
          layer: p.layer,
          kind: p.kind,
          feedbackAngle: values[2 * i],
          dxAngle: values[2 * i + 1],
        });
      });
    }
    return this.done;
  }

  /** The layers read so far; recorded layers appear after `await read()`. */
  get layers(): readonly LayerAlignment[] {
    if (this.pending.length > 0) {
      throw new Error(
        'AlignmentRecorder: angles recorded but not read yet; call `await recorder.read()` first',
      );
    }
    return this.done;
  }

  /** Frees angles recorded but not read (a pass that is abandoned). */
  dispose(): void {
    tf.dispose(this.pending.map((p) => p.angles));
    this.pending = [];
  }
}
