import type { DetectionTarget } from '@bioprop/detection';

/**
 * Fixed ground truth for RetinaNet's training step: boxes and labels that depend only on the (image, box)
 * indices, so that `fixed_targets` in `bench/pytorch_throughput.py` draws the very same ones and both sides
 * match and encode the same work. 1-3 boxes per image, widths 1/8 to 1/2 of the image, height/width 1, 1.5 or 2
 * (at most 3/4 of the image), in input pixels.
 */
export function fixedTargets(batch: number, size: number, classes: number): DetectionTarget[] {
  const targets: DetectionTarget[] = [];
  for (let i = 0; i < batch; i++) {
    const n = 1 + (i % 3);
    const boxes = new Float32Array(n * 4);
    const labels = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const w = size * (0.125 + (0.375 * ((i * 7 + j * 13) % 8)) / 7);
      const h = Math.min(w * (1 + 0.5 * ((i + j) % 3)), size * 0.75);
      const x1 = ((size - w) * ((i * 11 + j * 29) % 10)) / 9;
      const y1 = ((size - h) * ((i * 17 + j * 5) % 10)) / 9;
      boxes.set([x1, y1, x1 + w, y1 + h], j * 4);
      labels[j] = (3 * i + j) % classes;
    }
    targets.push({ boxes, labels });
  }
  return targets;
}
