/** numpy's pairwise summation of a[lo, hi): 8 running sums per block of up to 128, halves above that. */
function pairwise(a: ArrayLike<number>, lo: number, n: number): number {
  if (n < 8) {
    let res = -0;
    for (let i = 0; i < n; i++) res += a[lo + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, lo, n2) + pairwise(a, lo + n2, n - n2);
}

/**
 * The sum np.add.reduce gives for a contiguous float64 array: pairwise within buffers of 8192
 * elements, buffers added in order. Matching it bit for bit keeps summary numbers that sit on a
 * rounding boundary (0.4625) printing as pycocotools prints them.
 */
export function numpySum(a: ArrayLike<number>): number {
  const BUF = 8192;
  let res = 0;
  for (let lo = 0; lo < a.length; lo += BUF) {
    const p = pairwise(a, lo, Math.min(BUF, a.length - lo));
    res = lo === 0 ? p : res + p;
  }
  return res;
}
