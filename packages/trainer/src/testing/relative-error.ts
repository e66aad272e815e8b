/** ||actual - expected|| / ||expected|| over whole arrays (the norm of an all-zero `expected` counts as 1e-15). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`relativeError: ${actual.length} values against ${expected.length}`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num += (actual[i] - expected[i]) ** 2;
    den += expected[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}
