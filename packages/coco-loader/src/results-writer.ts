import { writeFile } from 'node:fs/promises';
import type { CategoryMap } from './category-map.js';
import type { ImageMeta } from './detection-pipeline.js';
import type { CocoDetection } from './detection-results.js';

/**
 * Turns one image's detections ([x1, y1, x2, y2] in batch pixels, contiguous labels) into COCO
 * results: mirrored back if the image was flipped, divided by the scale, clipped to the original
 * image, as [x, y, w, h] under COCO category ids.
 */
export function toCocoResults(
  meta: ImageMeta,
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  categories: CategoryMap,
): CocoDetection[] {
  const out: CocoDetection[] = [];
  const W = meta.originalWidth;
  const H = meta.originalHeight;
  for (let d = 0; d < scores.length; d++) {
    let x1 = boxes[d * 4];
    let x2 = boxes[d * 4 + 2];
    if (meta.flipped) [x1, x2] = [meta.width - x2, meta.width - x1];
    const cx1 = Math.min(Math.max(x1 / meta.scale, 0), W);
    const cy1 = Math.min(Math.max(boxes[d * 4 + 1] / meta.scale, 0), H);
    const cx2 = Math.min(Math.max(x2 / meta.scale, 0), W);
    const cy2 = Math.min(Math.max(boxes[d * 4 + 3] / meta.scale, 0), H);
    out.push({
      image_id: meta.imageId,
      category_id: categories.idOf(labels[d]),
      bbox: [cx1, cy1, Math.max(cx2 - cx1, 0), Math.max(cy2 - cy1, 0)],
      score: scores[d],
    });
  }
  return out;
}

/** Writes detections as a COCO results JSON array, in chunks (millions of detections are fine); numbers keep full precision. */
export async function writeResults(path: string, detections: Iterable<CocoDetection>): Promise<void> {
  function* chunks(): Generator<string> {
    let buf = '[';
    let first = true;
    for (const d of detections) {
      const [x, y, w, h] = d.bbox;
      buf += `${first ? '' : ','}{"image_id":${d.image_id},"category_id":${d.category_id},"bbox":[${x},${y},${w},${h}],"score":${d.score}}`;
      first = false;
      if (buf.length > 1 << 20) {
        yield buf;
        buf = '';
      }
    }
    yield `${buf}]`;
  }
  await writeFile(path, chunks());
}
