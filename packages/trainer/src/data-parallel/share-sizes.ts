/**
 * Sizes of at most `parts` shares of `n` examples, as even as possible, larger shares first (9 in 4: 3, 2, 2, 2),
 * none empty and none under `minShare` where `n` allows (fewer shares then): a batch too small for every replica
 * leaves the last replicas idle for that step. Batch norm over `[batch, features]` needs two examples a share.
 */
export function shareSizes(n: number, parts: number, minShare = 1): number[] {
  if (!Number.isInteger(parts) || parts < 1)
    throw new Error(`shares: parts must be an integer >= 1, got ${parts}`);
  const used = Math.max(1, Math.min(parts, Math.floor(n / Math.max(1, minShare))));
  const base = Math.floor(n / used);
  const extra = n % used;
  return Array.from({ length: used }, (_, i) => base + (i < extra ? 1 : 0)).filter((s) => s > 0);
}
