import { buildModel, countFlops, countParameters } from '@bioprop/architectures';

/** Options of `repro summary`. */
export interface SummaryOptions {
  arch: string;
  width?: number;
  classes?: number;
  inputSize?: number;
  inputChannels?: number;
  stem?: 'imagenet' | 'small';
  rule?: string;
  json?: boolean;
}

/** Layers, parameters and forward FLOPs of an architecture, as text (tfjs summary) or JSON. */
export function summaryCommand(opts: SummaryOptions): string {
  const model = buildModel({
    arch: opts.arch,
    rule: opts.rule ?? 'bp',
    classes: opts.classes,
    inputSize: opts.inputSize,
    inputChannels: opts.inputChannels,
    seed: 0,
    ...(opts.arch === 'alexnet' ? {} : { width: opts.width, stem: opts.stem }),
  });
  const parameters = countParameters(model);
  const flops = countFlops(model);
  const inputShape = model.inputs[0].shape.slice(1);
  const layers = model.layers
    .filter((l) => l.countParams() > 0 || flops.byLayer[l.name] !== undefined)
    .map((l) => ({
      name: l.name,
      type: l.getClassName(),
      outputShape: (l.outputShape as number[]).slice(1),
      parameters: l.trainableWeights.reduce(
        (a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1),
        0,
      ),
      flops: flops.byLayer[l.name] ?? 0,
    }));
  const result = { arch: opts.arch, inputShape, parameters, flops: flops.total, layers };
  model.dispose();
  if (opts.json) return `${JSON.stringify(result, null, 2)}\n`;
  const rows = layers.map(
    (l) =>
      `${l.name.padEnd(22)} ${l.type.padEnd(18)} ${JSON.stringify(l.outputShape).padEnd(16)} ${String(l.parameters).padStart(10)} ${(l.flops / 1e6).toFixed(1).padStart(10)}`,
  );
  return [
    `${opts.arch}: input [${inputShape}]`,
    `${'layer'.padEnd(22)} ${'type'.padEnd(18)} ${'output'.padEnd(16)} ${'params'.padStart(10)} ${'MFLOP'.padStart(10)}`,
    ...rows,
    `parameters: ${parameters.toLocaleString('en-US')} (trainable; running statistics and feedback state not counted)`,
    `forward FLOPs per image: ${(flops.total / 1e9).toFixed(3)} G (multiply-add = 2)`,
    '',
  ].join('\n');
}
