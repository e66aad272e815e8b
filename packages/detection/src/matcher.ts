/** Match value of an anchor whose best IoU is below the low threshold: background. */
export const BELOW_LOW_THRESHOLD = -1;
/** Match value of an anchor whose best IoU lies between the thresholds: ignored by the losses. */
export const BETWEEN_THRESHOLDS = -2;

/**
 * torchvision's Matcher on box IoU, per image on the host: each anchor takes its best ground-truth box (the
 * first on ties) when their IoU reaches `highThreshold`, is ignored between the thresholds and background
 * below; with `allowLowQualityMatches`, every anchor that ties for a box's best IoU takes its own best box
 * again, so that each box gets at least one anchor.
 */
export class Matcher {
  constructor(
    readonly highThreshold = 0.5,
    readonly lowThreshold = 0.4,
    readonly allowLowQualityMatches = true,
  ) {
    if (!(lowThreshold <= highThreshold)) {
      throw new Error(`Matcher: low threshold ${lowThreshold} exceeds high threshold ${highThreshold}`);
    }
  }

  /**
   * Per anchor, the index of its matched box in `boxes` ([n, 4]), or BELOW_LOW_THRESHOLD / BETWEEN_THRESHOLDS;
   * every anchor is background in an image without boxes.
   */
  match(boxes: ArrayLike<number>, anchors: ArrayLike<number>): Int32Array {
    const numBoxes = boxes.length / 4;
    const numAnchors = anchors.length / 4;
    const matches = new Int32Array(numAnchors);
    if (numBoxes === 0) return matches.fill(BELOW_LOW_THRESHOLD);
    const bestIou = new Float64Array(numAnchors);
    const bestBox = new Int32Array(numAnchors);
    // anchors that tie for some box's best IoU; found box by box, so one list of candidates suffices
    const lowQuality = new Uint8Array(numAnchors);
    const ties = new Int32Array(numAnchors);
    const anchorArea = new Float64Array(numAnchors);
    for (let a = 0; a < numAnchors; a++) {
      anchorArea[a] = (anchors[a * 4 + 2] - anchors[a * 4]) * (anchors[a * 4 + 3] - anchors[a * 4 + 1]);
    }
    for (let g = 0; g < numBoxes; g++) {
      const [x1, y1, x2, y2] = [boxes[g * 4], boxes[g * 4 + 1], boxes[g * 4 + 2], boxes[g * 4 + 3]];
      const boxArea = (x2 - x1) * (y2 - y1);
      let boxBest = Number.NEGATIVE_INFINITY;
      let tieCount = 0;
      for (let a = 0; a < numAnchors; a++) {
        // torchvision's box_iou, operation for operation (see box-iou.ts), inlined: this loop is the hot one
        const w = Math.min(x2, anchors[a * 4 + 2]) - Math.max(x1, anchors[a * 4]);
        const h = w > 0 ? Math.min(y2, anchors[a * 4 + 3]) - Math.max(y1, anchors[a * 4 + 1]) : 0;
        const inter = w > 0 && h > 0 ? w * h : 0;
        const iou = inter / (boxArea + anchorArea[a] - inter);
        if (g === 0 || iou > bestIou[a]) {
          bestIou[a] = iou;
          bestBox[a] = g;
        }
        if (iou > boxBest) {
          boxBest = iou;
          tieCount = 0;
        }
        if (iou === boxBest) ties[tieCount++] = a;
      }
      for (let t = 0; t < tieCount; t++) lowQuality[ties[t]] = 1;
    }
    for (let a = 0; a < numAnchors; a++) {
      const iou = bestIou[a];
      if (this.allowLowQualityMatches && lowQuality[a] === 1) matches[a] = bestBox[a];
      else if (iou < this.lowThreshold) matches[a] = BELOW_LOW_THRESHOLD;
      else if (iou < this.highThreshold) matches[a] = BETWEEN_THRESHOLDS;
      else matches[a] = bestBox[a];
    }
    return matches;
  }
}
