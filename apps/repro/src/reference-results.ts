/**
 * PyTorch results of the Fashion-MNIST presets (final test top-1 error, percent), from the reference runs of
 * the paper's semantics (`reference/fashion-*-pytorch.jsonl`), and how close a BioProp run must come.
 */
export const PYTORCH_REFERENCE: Record<string, { runs: number[]; tolerance: number }> = {
  'fashion-quick-bp': { runs: [10.45, 11.15, 10.73], tolerance: 1.0 },
  'fashion-quick-ss': { runs: [13.09, 12.72, 13.26], tolerance: 1.0 },
  'fashion-quick-fa': { runs: [24.87, 23.23, 23.63], tolerance: 2.0 },
  'fashion-mini-bp': { runs: [8.76, 8.43], tolerance: 1.0 },
  'fashion-mini-ss': { runs: [9.74, 9.4], tolerance: 1.0 },
  'fashion-mini-fa': { runs: [19.85, 20.86], tolerance: 2.5 },
};

/** Mean of the PyTorch runs of a preset, or undefined if there is no reference. */
export function referenceMean(preset: string): number | undefined {
  const r = PYTORCH_REFERENCE[preset];
  return r ? r.runs.reduce((a, b) => a + b, 0) / r.runs.length : undefined;
}

/**
 * PyTorch results of the mosaic-retinanet presets (`reference/mosaic-retinanet-pytorch.jsonl`, seeds 0 and 1):
 * final COCO AP and AP50 (x100), how close a BioProp run's AP must come, and the AP after each epoch per seed.
 */
export const MOSAIC_REFERENCE: Record<
  string,
  { ap: number[]; ap50: number[]; tolerance: number; apPerEpoch: number[][] }
> = {
  'mosaic-retinanet-bp': {
    ap: [31.15, 31.46],
    ap50: [38.65, 39.41],
    tolerance: 2.0,
    apPerEpoch: [
      [0, 0, 9.56, 15.79, 19.85, 24.84, 23.7, 29.58, 30.82, 31.15],
      [0, 1.78, 8.66, 13.8, 18.1, 23.29, 27.75, 31.0, 31.19, 31.46],
    ],
  },
  'mosaic-retinanet-ss': {
    ap: [12.4, 13.15],
    ap50: [20.38, 21.66],
    tolerance: 2.0,
    apPerEpoch: [
      [0, 0.45, 2.64, 5.89, 7.91, 9.72, 11.03, 12.36, 12.38, 12.4],
      [0, 0.62, 3.29, 6.65, 8.5, 10.7, 12.03, 12.83, 13.04, 13.15],
    ],
  },
  'mosaic-retinanet-fa': {
    ap: [0.04, 0.03],
    ap50: [0.17, 0.14],
    tolerance: 1.5,
    apPerEpoch: [
      [0, 0, 0, 0.02, 0.04, 0.04, 0.03, 0.04, 0.03, 0.04],
      [0, 0, 0, 0.02, 0.03, 0.02, 0.03, 0.03, 0.03, 0.03],
    ],
  },
};

/** md5 of the instances files that `repro prepare fashion-mosaic --train 4000 --val 500 --seed 0` writes. */
export const MOSAIC_MD5 = {
  train: '7c5afde8a34d40f18d09df941fd8c27f',
  val: '597e3c6c36fc5edf439a56015d2c3a81',
};
