import type { ImageBatch } from './batch-source';
import { classificationTask } from './classification-task';
import { type TrainOptions, type TrainResult, train } from './train';

/** Options of {@link trainClassifier}: those of {@link train} without the task. */
export type TrainClassifierOptions = Omit<TrainOptions<ImageBatch>, 'task'>;

/**
 * Trains an image classifier (cross-entropy; test loss, top-1 and top-5 error after every epoch) with the
 * generic loop {@link train}.
 */
export function trainClassifier(opts: TrainClassifierOptions): Promise<TrainResult> {
  return train({ ...opts, task: classificationTask });
}
