/** Orders strings by UTF-16 code units, like Python's sorted() on BMP text (not locale order). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
