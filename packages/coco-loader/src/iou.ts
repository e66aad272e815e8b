/**
 * IoU of two [x, y, w, h] boxes with COCO's crowd rule: against a crowd region the overlap is
 * divided by the detection's area alone, so a detection inside a crowd scores 1. The operations
 * are ordered as in pycocotools' C code so that the doubles come out bit-identical.
 */
export function boxIou(
  dt: ArrayLike<number>,
  di: number,
  gt: ArrayLike<number>,
  gi: number,
  crowd: boolean,
): number {
  const dx = dt[di];
  const dy = dt[di + 1];
  const dw = dt[di + 2];
  const dh = dt[di + 3];
  const gx = gt[gi];
  const gy = gt[gi + 1];
  const gw = gt[gi + 2];
  const gh = gt[gi + 3];
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const inter = w * h;
  const da = dw * dh;
  const union = crowd ? da : da + gw * gh - inter;
  return inter / union;
}

/** IoU of every detection (rows) with every ground-truth box (columns), row-major; boxes are [x, y, w, h] at index*4. */
export function iouMatrix(
  dt: ArrayLike<number>,
  dtIdx: ArrayLike<number>,
  gt: ArrayLike<number>,
  gtIdx: ArrayLike<number>,
  crowd: ArrayLike<number>,
): Float64Array {
  const D = dtIdx.length;
  const G = gtIdx.length;
  const out = new Float64Array(D * G);
  for (let d = 0; d < D; d++) {
    for (let g = 0; g < G; g++) {
      out[d * G + g] = boxIou(dt, dtIdx[d] * 4, gt, gtIdx[g] * 4, crowd[gtIdx[g]] !== 0);
    }
  }
  return out;
}
