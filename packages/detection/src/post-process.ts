import * as tf from '@tensorflow/tfjs-core';
import { BoxCoder } from './box-coder';
import { batchedNms } from './nms';

/** Settings of {@link postProcess}; the defaults are torchvision's RetinaNet, but 100 detections per image. */
export interface PostProcessOptions {
  /** Keep candidates whose score is above this, default 0.05. */
  scoreThresh?: number;
  /** Class-wise NMS drops boxes above this IoU with a better one, default 0.5. */
  nmsThresh?: number;
  /** At most this many detections per image, default 100. */
  detectionsPerImage?: number;
  /** At most this many candidates per level and image before NMS, default 1000. */
  topkCandidates?: number;
  /** Decodes the box deltas, default weights (1, 1, 1, 1). */
  boxCoder?: BoxCoder;
}

/** Detections of one image, best first: boxes [n, 4] x1 y1 x2 y2, scores [n], labels [n] in 0..K-1. */
export interface Detections {
  boxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
}

/** One candidate before NMS: where it is in the level's flat [anchors x classes] logits, and its logit. */
interface Candidate {
  index: number;
  logit: number;
}

const DEFAULT_BOX_CODER = new BoxCoder();

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Larger logit first, then lower index: a stable order, what torch's top-k gives on the reference's ties. */
function byLogitThenIndex(a: Candidate, b: Candidate): number {
  return b.logit - a.logit || a.index - b.index;
}

/**
 * The best `k` of a level's candidates, given the device's top-(k + 1): the extra one reveals a tie across the
 * cut, which backends break differently; then all tied entries are fetched and the lowest indices win.
 */
async function topCandidates(
  level: () => tf.Tensor1D,
  values: Float32Array,
  indices: Int32Array,
  k: number,
): Promise<Candidate[]> {
  const sorted = Array.from(values, (logit, i) => ({ logit, index: indices[i] })).sort(byLogitThenIndex);
  if (sorted.length <= k || sorted[k - 1].logit !== sorted[k].logit) return sorted.slice(0, k);
  const cut = sorted[k - 1].logit;
  const above = sorted.filter((c) => c.logit > cut);
  const tiedMask = tf.tidy(() => tf.equal(level(), cut));
  const tied = await tf.whereAsync(tiedMask);
  const tiedIndices = await tied.data();
  tf.dispose([tiedMask, tied]);
  // whereAsync lists coordinates in ascending order: the first ones are the lowest indices
  const ties = Array.from(tiedIndices.subarray(0, k - above.length), (index) => ({ logit: cut, index }));
  return above.concat(ties);
}

/**
 * torchvision's RetinaNet.postprocess_detections for head outputs `clsLogits` [N, A, K] and `boxDeltas`
 * [N, A, 4] over `anchors` [A, 4] (levels of `anchorsPerLevel` anchors, concatenated): per image and level,
 * sigmoid scores above `scoreThresh`, the best `topkCandidates` of anchors x classes, boxes decoded and clipped
 * to the image's [h, w] in `imageSizes`; then class-wise NMS over all levels and the best `detectionsPerImage`.
 * Reads from the device only asynchronously; disposes what it makes, not its inputs.
 */
export async function postProcess(
  clsLogits: tf.Tensor3D,
  boxDeltas: tf.Tensor3D,
  anchors: Float32Array,
  anchorsPerLevel: number[],
  imageSizes: [number, number][],
  options: PostProcessOptions = {},
): Promise<Detections[]> {
  const [numImages, numAnchors, numClasses] = clsLogits.shape;
  const scoreThresh = options.scoreThresh ?? 0.05;
  const nmsThresh = options.nmsThresh ?? 0.5;
  const detectionsPerImage = options.detectionsPerImage ?? 100;
  const topk = options.topkCandidates ?? 1000;
  if (anchorsPerLevel.reduce((a, b) => a + b, 0) !== numAnchors || anchors.length !== numAnchors * 4) {
    throw new Error(
      `postProcess: ${anchors.length / 4} anchors in levels of [${anchorsPerLevel}] for ${numAnchors} predictions`,
    );
  }
  if (boxDeltas.shape[0] !== numImages || boxDeltas.shape[1] !== numAnchors || boxDeltas.shape[2] !== 4) {
    throw new Error(
      `postProcess: box deltas [${boxDeltas.shape}] do not fit class logits [${clsLogits.shape}]`,
    );
  }
  if (imageSizes.length !== numImages) {
    throw new Error(`postProcess: ${imageSizes.length} image sizes for ${numImages} images`);
  }
  if (!(topk >= 1)) throw new Error(`postProcess: topkCandidates must be at least 1, got ${topk}`);

  // per level, the device's top-(k + 1) of every image's flat [anchors x classes] logits
  const starts = anchorsPerLevel.map((_, l) => anchorsPerLevel.slice(0, l).reduce((a, b) => a + b, 0));
  const levelOf = (l: number, images: number, first = 0) =>
    tf.reshape(tf.slice(clsLogits, [first, starts[l], 0], [images, anchorsPerLevel[l], numClasses]), [
      images,
      -1,
    ]);
  const tops = anchorsPerLevel.map((count, l) =>
    count === 0
      ? undefined
      : tf.tidy(() => tf.topk(levelOf(l, numImages), Math.min(count * numClasses, topk + 1))),
  );
  let read: ([Float32Array, Int32Array] | undefined)[];
  try {
    read = await Promise.all(
      tops.map((t) =>
        t
          ? Promise.all([t.values.data() as Promise<Float32Array>, t.indices.data() as Promise<Int32Array>])
          : undefined,
      ),
    );
  } finally {
    tf.dispose(tops.flatMap((t) => (t ? [t.values, t.indices] : [])));
  }

  // candidates per image, levels in order; their anchors and labels on the host
  const rows: number[] = [];
  const chosenAnchors: number[] = [];
  const perImage: { scores: number[]; labels: number[] }[] = [];
  for (let i = 0; i < numImages; i++) {
    const scores: number[] = [];
    const labels: number[] = [];
    for (let l = 0; l < anchorsPerLevel.length; l++) {
      const r = read[l];
      if (!r) continue;
      const k = r[0].length / numImages;
      const values = r[0].subarray(i * k, (i + 1) * k);
      const indices = r[1].subarray(i * k, (i + 1) * k);
      const level = () => tf.reshape(levelOf(l, 1, i), [-1]) as tf.Tensor1D;
      for (const c of await topCandidates(level, values, indices, topk)) {
        const score = sigmoid(c.logit);
        if (!(score > scoreThresh)) continue;
        const anchor = starts[l] + Math.floor(c.index / numClasses);
        scores.push(score);
        labels.push(c.index % numClasses);
        rows.push(i * numAnchors + anchor);
        for (let q = 0; q < 4; q++) chosenAnchors.push(anchors[anchor * 4 + q]);
      }
    }
    perImage.push({ scores, labels });
  }

  // decode every candidate of the batch at once, on the device
  let boxes: Float32Array = new Float32Array(0);
  if (rows.length > 0) {
    const decoded = tf.tidy(() => {
      const deltas = tf.gather(
        tf.reshape(boxDeltas, [numImages * numAnchors, 4]),
        tf.tensor1d(rows, 'int32'),
      );
      return (options.boxCoder ?? DEFAULT_BOX_CODER).decode(
        deltas as tf.Tensor2D,
        tf.tensor2d(chosenAnchors, [rows.length, 4]),
      );
    });
    boxes = (await decoded.data()) as Float32Array;
    decoded.dispose();
  }

  let offset = 0;
  return perImage.map(({ scores, labels }, i) => {
    const n = scores.length;
    const [h, w] = imageSizes[i];
    const imageBoxes = boxes.slice(offset * 4, (offset + n) * 4);
    offset += n;
    for (let j = 0; j < imageBoxes.length; j++) {
      imageBoxes[j] = Math.min(Math.max(imageBoxes[j], 0), j % 2 === 0 ? w : h);
    }
    const keep = batchedNms(imageBoxes, scores, labels, nmsThresh).subarray(0, detectionsPerImage);
    const out: Detections = {
      boxes: new Float32Array(keep.length * 4),
      scores: new Float32Array(keep.length),
      labels: new Int32Array(keep.length),
    };
    keep.forEach((k, j) => {
      out.boxes.set(imageBoxes.subarray(k * 4, k * 4 + 4), j * 4);
      out.scores[j] = scores[k];
      out.labels[j] = labels[k];
    });
    return out;
  });
}
