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
