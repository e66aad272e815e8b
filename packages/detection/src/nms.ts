import { boxIou } from './box-iou';

/**
 * torchvision's batched_nms on the host: greedy non-maximum suppression within each label, dropping a box whose
 * IoU with a kept box of its label exceeds `iouThreshold`. Returns the kept indices by descending score, equal
 * scores in index order (torchvision's NMS sorts stably).
 */
export function batchedNms(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  iouThreshold: number,
): Int32Array {
  const n = scores.length;
  if (boxes.length !== n * 4 || labels.length !== n) {
    throw new Error(`batchedNms: ${boxes.length / 4} boxes, ${n} scores and ${labels.length} labels`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  // boxes of different labels never suppress each other: run the greedy pass per label, in score order
  const byLabel = new Map<number, number[]>();
  for (const i of order) {
    const list = byLabel.get(labels[i]);
    if (list) list.push(i);
    else byLabel.set(labels[i], [i]);
  }
  const kept = new Uint8Array(n);
  const suppressed = new Uint8Array(n);
  for (const list of byLabel.values()) {
    for (let p = 0; p < list.length; p++) {
      const i = list[p];
      if (suppressed[i]) continue;
      kept[i] = 1;
      for (let q = p + 1; q < list.length; q++) {
        const j = list[q];
        if (!suppressed[j] && boxIou(boxes, i, boxes, j) > iouThreshold) suppressed[j] = 1;
      }
    }
  }
  return Int32Array.from(order.filter((i) => kept[i] === 1));
}
