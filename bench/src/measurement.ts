/**
 * One throughput measurement: what a BioProp worker and `pytorch_throughput.py` each print as one JSON line.
 */
export interface Measurement {
  side: 'bioprop' | 'pytorch';
  /** `wasm` or `webgpu` for BioProp, `cpu` for PyTorch. */
  backend: string;
  net: string;
  rule: string;
  batch: number;
  size: number;
  /** Compute threads the run used, as its runtime reports them. */
  threads: number;
  warmupSteps: number;
  /** Timed steps and their wall-clock seconds. */
  steps: number;
  seconds: number;
  imagesPerSecond: number;
  secondsPerStep: number;
  /** False when a timed step's loss was NaN or infinite (the speed is still measured, but flagged). */
  lossFinite: boolean;
  peakRssMb: number;
  /** The runtime, e.g. `tfjs 4.22.0` or `torch 1.13.0`. */
  version: string;
}

const NUMBER_FIELDS = [
  'batch',
  'size',
  'threads',
  'warmupSteps',
  'steps',
  'seconds',
  'imagesPerSecond',
  'secondsPerStep',
  'peakRssMb',
] as const;

/** A measurement parsed from a JSON line; an error names the first field that is missing or of the wrong type. */
export function parseMeasurement(line: string): Measurement {
  const m = JSON.parse(line) as Record<string, unknown>;
  if (m.side !== 'bioprop' && m.side !== 'pytorch')
    throw new Error(`measurement: bad side ${String(m.side)}`);
  for (const key of ['backend', 'net', 'rule', 'version'] as const) {
    if (typeof m[key] !== 'string') throw new Error(`measurement: '${key}' is not a string`);
  }
  for (const key of NUMBER_FIELDS) {
    if (typeof m[key] !== 'number' || !Number.isFinite(m[key])) {
      throw new Error(`measurement: '${key}' is not a finite number`);
    }
  }
  if (typeof m.lossFinite !== 'boolean') throw new Error(`measurement: 'lossFinite' is not a boolean`);
  return m as unknown as Measurement;
}
