/**
 * Sizes of `parts` shares of `n` examples, as even as possible, larger shares first (9 in 4: 3, 2, 2, 2), empty
 * shares left out: a batch smaller than the replica count leaves the last replicas idle for that step.
 */
export function shareSizes(n: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1)
    throw new Error(`shares: parts must be an integer >= 1, got ${parts}`);
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0)).filter((s) => s > 0);
}
