import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchSource } from './batch-source';

/**
 * The training losses of one batch as named scalars. `loss` is what the optimizer minimises; any other entry
 * (a detector's classification and box-regression parts, say) is logged beside it.
 */
export type StepLosses = { loss: tf.Scalar } & Record<string, tf.Scalar>;

/** Evaluation metrics of a task by name (classification: testLoss, top1Err, top5Err; detection: AP, ...). */
export type Metrics = Record<string, number>;

/**
 * What the generic training loop needs to know about a problem (PyTorch Lightning's task): how a batch
 * becomes a loss, how many examples a batch holds, and how to evaluate. The loop owns everything else:
 * the optimizer, the schedule, checkpoints, resume, logs.
 */
export interface TrainingTask<B> {
  /** Examples in a batch (for the mean training loss and images/s). */
  batchSize(batch: B): number;
  /**
   * The training-mode losses of a batch. Called inside the gradient tape and `tf.tidy`: build tensors from the
   * batch here; the loop disposes everything.
   */
  trainingStep(model: LayersModel, batch: B): StepLosses;
  /**
   * Splits a batch into at most `parts` shares for data-parallel training (`TrainOptions.replicas`),
   * in order, each example in exactly one share, none empty; `shareSizes` gives even sizes. Only data-parallel
   * runs need it. The loss of a share must be its examples' mean, so that the shares' losses weighted by their
   * sizes are the batch's loss.
   */
  split?(batch: B, parts: number): B[];
  /** Evaluates the model in inference mode on a source (its epoch 0). */
  evaluate(model: LayersModel, source: BatchSource<B>): Promise<Metrics>;
  /** The metrics as they read in the epoch line, e.g. `test loss 0.31, top-1 err 8.0%`. */
  describeMetrics(metrics: Metrics): string;
}
