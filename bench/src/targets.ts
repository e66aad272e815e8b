import type { NetworkName } from './networks';
import { fasterAllCores, imagesPerSecond, type ResultRow, ratio } from './results';
import { formatRatio } from './table';

/** The performance issue's targets for a network; a missing one is shown without a verdict. */
export interface NetworkTargets {
  /** BioProp 1 thread / PyTorch 1 thread, at least. */
  perCore?: number;
  /** BioProp on all cores / PyTorch on all threads, at least. */
  wholeMachine?: number;
  /** ss and fa within this fraction of bp's images/s (BioProp, 1 thread). */
  ruleSpread: number;
}

export const TARGETS: Record<NetworkName, NetworkTargets> = {
  resnet18: { perCore: 0.3, wholeMachine: 0.3, ruleSpread: 0.05 },
  'alexnet-bn': { ruleSpread: 0.05 },
  'fashion-mini': { perCore: 0.3, ruleSpread: 0.05 },
  'mosaic-retinanet': { ruleSpread: 0.05 },
};

/** `met` if every value passes, `not met` if one fails, `not measured` if there is none. */
function verdict(values: number[], pass: (v: number) => boolean, quick: boolean): string {
  if (quick) return 'quick run: no verdict';
  if (!values.length) return 'not measured';
  return values.every(pass) ? 'met' : 'not met';
}

/** `bp 0.19x, ss 0.20x` over the rows with a ratio. */
function ratios(
  rows: ResultRow[],
  pick: (r: ResultRow) => number | null,
): { text: string; values: number[] } {
  const got = rows.map((r) => ({ rule: r.rule, v: pick(r) })).filter((x) => x.v !== null) as {
    rule: string;
    v: number;
  }[];
  return {
    text: got.length ? got.map((x) => `${x.rule} ${formatRatio(x.v)}`).join(', ') : 'n/a',
    values: got.map((x) => x.v),
  };
}

/**
 * One summary line for a network's rows against its targets: the per-core ratio, the whole-machine ratio (the
 * faster of BioProp's threads and replicas), and
 * how far ss and fa are from bp in BioProp.
 */
export function summaryLine(rows: ResultRow[], quick: boolean, allThreads: number): string {
  const spec = rows[0].spec;
  const t = TARGETS[spec.name];
  const parts: string[] = [];

  const perCore = ratios(rows, (r) => ratio(r.biopropOneThread, r.pytorchOneThread));
  parts.push(
    `per core ${perCore.text}` +
      (t.perCore === undefined
        ? ''
        : ` (target >= ${t.perCore}x: ${verdict(perCore.values, (v) => v >= t.perCore!, quick)})`),
  );

  const whole = ratios(rows, (r) => ratio(fasterAllCores(r), r.pytorchAllThreads));
  let wholeText = `whole machine ${whole.text}`;
  if (!whole.values.length) {
    // Without an all-cores figure (one thread and one replica, a failed measurement), say how one thread compares.
    const single = ratios(rows, (r) => ratio(r.biopropOneThread, r.pytorchAllThreads));
    if (single.values.length)
      wholeText += ` (BioProp 1 thread vs PyTorch ${allThreads} threads: ${single.text})`;
  }
  if (t.wholeMachine !== undefined) {
    wholeText += ` (target >= ${t.wholeMachine}x: ${verdict(whole.values, (v) => v >= t.wholeMachine!, quick)})`;
  }
  parts.push(wholeText);

  const bp = imagesPerSecond(rows.find((r) => r.rule === 'bp')?.biopropOneThread);
  const spreads = rows
    .filter((r) => r.rule !== 'bp')
    .map((r) => ({ rule: r.rule, v: imagesPerSecond(r.biopropOneThread) }))
    .filter((x) => x.v !== null && bp !== null)
    .map((x) => ({ rule: x.rule, d: x.v! / bp! - 1 }));
  if (spreads.length) {
    const text = spreads.map((s) => `${s.rule} ${s.d >= 0 ? '+' : ''}${(s.d * 100).toFixed(1)} %`).join(', ');
    const ok = verdict(
      spreads.map((s) => s.d),
      (d) => Math.abs(d) <= t.ruleSpread,
      quick,
    );
    parts.push(`vs bp ${text} (target within ${t.ruleSpread * 100} %: ${ok})`);
  }
  return `- ${spec.title}: ${parts.join('; ')}`;
}
