import * as tf from '@tensorflow/tfjs-core';
import { BoxCoder } from './box-coder';
import { sigmoidFocalLoss } from './focal-loss';
import { generalizedBoxIouLoss } from './giou-loss';
import { BETWEEN_THRESHOLDS, Matcher } from './matcher';

/** The box regression loss: torchvision's `_box_loss` types (l1 is RetinaNet's default). */
export type BoxLossKind = 'l1' | 'smooth-l1' | 'giou';

/** Ground truth of one image, in the padded input's pixels. */
export interface DetectionTarget {
  /** [n, 4] x1 y1 x2 y2, each box with positive width and height. */
  boxes: Float32Array;
  /** [n] classes 0..K-1. */
  labels: Int32Array;
}

/** Settings of {@link retinaNetLosses}; the defaults are torchvision's RetinaNet. */
export interface RetinaNetLossOptions {
  /** Box regression loss, default 'l1'. */
  boxLoss?: BoxLossKind;
  /** Where smooth L1 turns from quadratic to linear, default 1. */
  smoothL1Beta?: number;
  /** Guard of GIoU's divisions, default 1e-7. */
  giouEps?: number;
  /** Focal loss alpha, default 0.25 (negative: no class weighting). */
  focalAlpha?: number;
  /** Focal loss gamma, default 2. */
  focalGamma?: number;
  /** Anchor-to-box matching, default Matcher(0.5, 0.4, allowLowQualityMatches = true). */
  matcher?: Matcher;
  /** Box encoding, default weights (1, 1, 1, 1). */
  boxCoder?: BoxCoder;
}

/**
 * The two RetinaNet losses, each a mean over the images of a per-image sum over its foreground count (a type,
 * not an interface, so that it passes as a tf.TensorContainer to tf.tidy and tf.dispose).
 */
export type RetinaNetLosses = {
  classification: tf.Scalar;
  boxRegression: tf.Scalar;
};

const DEFAULT_MATCHER = new Matcher();
const DEFAULT_BOX_CODER = new BoxCoder();

/** Refuses what torchvision refuses (degenerate boxes) and what would silently corrupt the loss. */
function checkTargets(targets: readonly DetectionTarget[], numImages: number, numClasses: number): void {
  if (targets.length !== numImages) {
    throw new Error(`retinaNetLosses: ${targets.length} targets for a batch of ${numImages} images`);
  }
  targets.forEach(({ boxes, labels }, i) => {
    if (boxes.length % 4 !== 0 || labels.length * 4 !== boxes.length) {
      throw new Error(
        `retinaNetLosses: image ${i} has ${boxes.length} box numbers for ${labels.length} labels`,
      );
    }
    for (let j = 0; j < labels.length; j++) {
      const box = Array.from(boxes.subarray(j * 4, j * 4 + 4));
      const [x1, y1, x2, y2] = box;
      if (!box.every(Number.isFinite)) {
        throw new Error(`retinaNetLosses: image ${i}, box ${j} [${box.join(', ')}] is not finite`);
      }
      if (!(x2 > x1 && y2 > y1)) {
        throw new Error(
          `retinaNetLosses: image ${i}, box ${j} [${box.join(', ')}] needs a positive width and height ` +
            '(drop such boxes when loading, as torchvision refuses them)',
        );
      }
      if (!(Number.isInteger(labels[j]) && labels[j] >= 0 && labels[j] < numClasses)) {
        throw new Error(
          `retinaNetLosses: image ${i}, box ${j} has label ${labels[j]} outside 0..${numClasses - 1}`,
        );
      }
    }
  });
}

/**
 * torchvision's RetinaNet losses (RetinaNetHead.compute_loss) for head outputs `clsLogits` [N, A, K] and
 * `boxDeltas` [N, A, 4] over `anchors` [A, 4]: per image, the focal loss summed over every anchor not ignored
 * and the box loss summed over the foreground anchors, each divided by max(1, foreground count); then the mean
 * over the images. Matching and target encoding run on the host from `targets`; nothing is read back from the
 * device, and only the two scalars are left. Differentiable with respect to `clsLogits` and `boxDeltas`.
 */
export function retinaNetLosses(
  clsLogits: tf.Tensor3D,
  boxDeltas: tf.Tensor3D,
  anchors: Float32Array,
  targets: readonly DetectionTarget[],
  options: RetinaNetLossOptions = {},
): RetinaNetLosses {
  const [numImages, numAnchors, numClasses] = clsLogits.shape;
  if (boxDeltas.shape[0] !== numImages || boxDeltas.shape[1] !== numAnchors || boxDeltas.shape[2] !== 4) {
    throw new Error(
      `retinaNetLosses: box deltas [${boxDeltas.shape}] do not fit class logits [${clsLogits.shape}]`,
    );
  }
  if (anchors.length !== numAnchors * 4) {
    throw new Error(`retinaNetLosses: ${anchors.length / 4} anchors for ${numAnchors} predictions per image`);
  }
  checkTargets(targets, numImages, numClasses);
  const boxLoss = options.boxLoss ?? 'l1';
  if (!['l1', 'smooth-l1', 'giou'].includes(boxLoss)) {
    throw new Error(`retinaNetLosses: unknown box loss '${boxLoss}' (l1, smooth-l1 or giou)`);
  }
  const matcher = options.matcher ?? DEFAULT_MATCHER;
  const coder = options.boxCoder ?? DEFAULT_BOX_CODER;

  // per anchor: its class (-1 for none), the weight of its classification and box terms; GIoU compares with
  // the matched boxes themselves, the others with their encodings; anchors off the foreground get their own box
  // (a finite stand-in with weight 0)
  const classOf = new Int32Array(numImages * numAnchors).fill(-1);
  const clsWeight = new Float32Array(numImages * numAnchors);
  const boxWeight = new Float32Array(numImages * numAnchors);
  const boxTarget = new Float32Array(numImages * numAnchors * 4);
  targets.forEach(({ boxes, labels }, i) => {
    const matches = matcher.match(boxes, anchors);
    let foreground = 0;
    for (const m of matches) if (m >= 0) foreground++;
    const weight = 1 / Math.max(1, foreground) / numImages;
    for (let a = 0; a < numAnchors; a++) {
      const m = matches[a];
      const at = i * numAnchors + a;
      if (m !== BETWEEN_THRESHOLDS) clsWeight[at] = weight;
      if (boxLoss === 'giou') boxTarget.set(anchors.subarray(a * 4, a * 4 + 4), at * 4);
      if (m < 0) continue;
      classOf[at] = labels[m];
      boxWeight[at] = weight;
      if (boxLoss === 'giou') boxTarget.set(boxes.subarray(m * 4, m * 4 + 4), at * 4);
      else coder.encodeRow(boxes, m * 4, anchors, a * 4, boxTarget, at * 4);
    }
  });

  return tf.tidy(() => {
    const classes = tf.tensor3d(classOf, [numImages, numAnchors, 1], 'int32');
    const oneHot = tf.cast(tf.equal(classes, tf.range(0, numClasses, 1, 'int32')), 'float32');
    const focal = sigmoidFocalLoss(clsLogits, oneHot, options.focalAlpha ?? 0.25, options.focalGamma ?? 2);
    // classes first, then weighted anchors: smaller sums lose less in float32 than one sum over N x A x K
    const perAnchor = tf.sum(focal, 2);
    const classification = tf.sum(tf.mul(perAnchor, tf.tensor2d(clsWeight, [numImages, numAnchors])));

    const target = tf.tensor3d(boxTarget, [numImages, numAnchors, 4]);
    const weights = tf.tensor3d(boxWeight, [numImages, numAnchors, 1]);
    let perCoordinate: tf.Tensor;
    if (boxLoss === 'giou') {
      const predicted = coder.decode(boxDeltas, tf.tensor2d(anchors, [numAnchors, 4]));
      perCoordinate = tf.expandDims(generalizedBoxIouLoss(predicted, target, options.giouEps ?? 1e-7), -1);
    } else {
      const diff = tf.abs(tf.sub(boxDeltas, target));
      const beta = options.smoothL1Beta ?? 1;
      if (boxLoss === 'l1' || beta === 0) {
        perCoordinate = diff;
      } else {
        // 0.5 d^2 / beta below beta, d - 0.5 beta above, written with min: tfjs has no gradient for where's test
        const quadratic = tf.minimum(diff, beta);
        perCoordinate = tf.add(tf.div(tf.mul(tf.square(quadratic), 0.5), beta), tf.sub(diff, quadratic));
      }
    }
    const boxRegression = tf.sum(tf.mul(perCoordinate, weights));
    return { classification: classification as tf.Scalar, boxRegression: boxRegression as tf.Scalar };
  });
}
