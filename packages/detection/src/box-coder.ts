import * as tf from '@tensorflow/tfjs-core';

/** Weights of (dx, dy, dw, dh); RetinaNet uses (1, 1, 1, 1). */
export type BoxCoderWeights = readonly [number, number, number, number];

/** torchvision's clamp on dw and dh before exp in decoding: boxes at most 1000/16 times their anchor. */
export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

/**
 * torchvision's BoxCoder: boxes (x1 y1 x2 y2) as offsets of their centre in units of the anchor's size and log
 * ratios of the sizes. Encoding makes regression targets (no gradient), so it runs on the host; decoding turns
 * predictions into boxes, so it is a differentiable tfjs op.
 */
export class BoxCoder {
  constructor(
    readonly weights: BoxCoderWeights = [1, 1, 1, 1],
    readonly bboxXformClip: number = BBOX_XFORM_CLIP,
  ) {}

  /**
   * Targets [n, 4] of `referenceBoxes` (ground truth, [n, 4]) relative to `proposals` (anchors, [n, 4]),
   * row for row, in doubles; torchvision's argument order.
   */
  encode(referenceBoxes: ArrayLike<number>, proposals: ArrayLike<number>): Float32Array {
    if (referenceBoxes.length !== proposals.length || referenceBoxes.length % 4 !== 0) {
      throw new Error(
        `BoxCoder.encode: ${referenceBoxes.length} and ${proposals.length} numbers are not n x 4 each`,
      );
    }
    const out = new Float32Array(referenceBoxes.length);
    for (let i = 0; i < out.length; i += 4) this.encodeRow(referenceBoxes, i, proposals, i, out, i);
    return out;
  }

  /** Encodes one box of `gt` (at offset `g`) against one of `anchors` (at `a`) into `out` at `o`. */
  encodeRow(
    gt: ArrayLike<number>,
    g: number,
    anchors: ArrayLike<number>,
    a: number,
    out: Float32Array | Float64Array,
    o: number,
  ): void {
    const [wx, wy, ww, wh] = this.weights;
    const exW = anchors[a + 2] - anchors[a];
    const exH = anchors[a + 3] - anchors[a + 1];
    const exX = anchors[a] + 0.5 * exW;
    const exY = anchors[a + 1] + 0.5 * exH;
    const gtW = gt[g + 2] - gt[g];
    const gtH = gt[g + 3] - gt[g + 1];
    const gtX = gt[g] + 0.5 * gtW;
    const gtY = gt[g + 1] + 0.5 * gtH;
    out[o] = (wx * (gtX - exX)) / exW;
    out[o + 1] = (wy * (gtY - exY)) / exH;
    out[o + 2] = ww * Math.log(gtW / exW);
    out[o + 3] = wh * Math.log(gtH / exH);
  }

  /**
   * Boxes from predicted offsets `relCodes` ([n, 4], or [b, n, 4]) and their anchors `boxes` ([n, 4], broadcast
   * over the batch); dw and dh are clamped at `bboxXformClip`. Differentiable with respect to `relCodes`.
   */
  decode<T extends tf.Tensor2D | tf.Tensor3D>(relCodes: T, boxes: tf.Tensor2D): T {
    return tf.tidy(() => {
      const [wx, wy, ww, wh] = this.weights;
      const [x1, y1, x2, y2] = tf.split(boxes, 4, -1);
      const widths = tf.sub(x2, x1);
      const heights = tf.sub(y2, y1);
      const ctrX = tf.add(x1, tf.mul(widths, 0.5));
      const ctrY = tf.add(y1, tf.mul(heights, 0.5));
      const [cx, cy, cw, ch] = tf.split(relCodes, 4, -1);
      const unweight = (t: tf.Tensor, w: number) => (w === 1 ? t : tf.div(t, w));
      const dw = tf.minimum(unweight(cw, ww), this.bboxXformClip);
      const dh = tf.minimum(unweight(ch, wh), this.bboxXformClip);
      const predX = tf.add(tf.mul(unweight(cx, wx), widths), ctrX);
      const predY = tf.add(tf.mul(unweight(cy, wy), heights), ctrY);
      const halfW = tf.mul(tf.mul(tf.exp(dw), widths), 0.5);
      const halfH = tf.mul(tf.mul(tf.exp(dh), heights), 0.5);
      return tf.concat(
        [tf.sub(predX, halfW), tf.sub(predY, halfH), tf.add(predX, halfW), tf.add(predY, halfH)],
        -1,
      ) as T;
    });
  }
}
