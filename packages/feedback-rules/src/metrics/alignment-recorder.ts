import * as tf from '@tensorflow/tfjs-core';
import type { AlignmentProbe } from './alignment-probe';
import { angleBetween } from './angles';

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

/**
 * A probe that records per-layer alignment during one backward pass; use with `withAlignmentProbe`.
 * Layers appear in backward order (last layer first).
 */
export class AlignmentRecorder implements AlignmentProbe {
  readonly layers: LayerAlignment[] = [];

  record(entry: Parameters<AlignmentProbe['record']>[0]): void {
    const feedbackAngle = angleBetween(entry.feedback, entry.kernel);
    const bp = tf.tidy(entry.bpDx);
    const dxAngle = angleBetween(entry.dx, bp);
    bp.dispose();
    this.layers.push({ layer: entry.name, kind: entry.kind, feedbackAngle, dxAngle });
  }
}
