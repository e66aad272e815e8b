/**
 * IoU of box `i` of `a` and box `j` of `b` (flat x1 y1 x2 y2 arrays), in doubles with torchvision's operation
 * order (box_iou, and its NMS kernel), so that ties in IoU are ties here too.
 */
export function boxIou(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const ai = i * 4;
  const bj = j * 4;
  const areaA = (a[ai + 2] - a[ai]) * (a[ai + 3] - a[ai + 1]);
  const areaB = (b[bj + 2] - b[bj]) * (b[bj + 3] - b[bj + 1]);
  const w = Math.min(a[ai + 2], b[bj + 2]) - Math.max(a[ai], b[bj]);
  const h = Math.min(a[ai + 3], b[bj + 3]) - Math.max(a[ai + 1], b[bj + 1]);
  const inter = Math.max(w, 0) * Math.max(h, 0);
  return inter / (areaA + areaB - inter);
}
