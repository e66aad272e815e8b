import * as tf from '@tensorflow/tfjs-core';

/**
 * torchvision's generalized_box_iou_loss with reduction 'none': 1 - GIoU of paired boxes (x1 y1 x2 y2 on the
 * last axis, which the result drops), `eps` guarding the divisions. Differentiable in both box sets.
 */
export function generalizedBoxIouLoss(boxes1: tf.Tensor, boxes2: tf.Tensor, eps = 1e-7): tf.Tensor {
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.split(boxes1, 4, -1);
    const [x1g, y1g, x2g, y2g] = tf.split(boxes2, 4, -1);
    // relu of the overlap's sides: zero, and no gradient, for boxes that do not overlap, as torchvision's mask
    const overlapW = tf.relu(tf.sub(tf.minimum(x2, x2g), tf.maximum(x1, x1g)));
    const overlapH = tf.relu(tf.sub(tf.minimum(y2, y2g), tf.maximum(y1, y1g)));
    const inter = tf.mul(overlapW, overlapH);
    const area1 = tf.mul(tf.sub(x2, x1), tf.sub(y2, y1));
    const area2 = tf.mul(tf.sub(x2g, x1g), tf.sub(y2g, y1g));
    const union = tf.sub(tf.add(area1, area2), inter);
    const iou = tf.div(inter, tf.add(union, eps));
    const enclosing = tf.mul(
      tf.sub(tf.maximum(x2, x2g), tf.minimum(x1, x1g)),
      tf.sub(tf.maximum(y2, y2g), tf.minimum(y1, y1g)),
    );
    const giou = tf.sub(iou, tf.div(tf.sub(enclosing, union), tf.add(enclosing, eps)));
    return tf.squeeze(tf.sub(1, giou), [-1]);
  });
}
