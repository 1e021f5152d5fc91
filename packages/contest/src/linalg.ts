/** Small dense linear algebra for the contest (a few dozen unknowns at most): Cholesky solves. */

/**
 * Solves S x = b for a symmetric positive-definite S given by its lower triangle (row-major n x n) into x;
 * false when S is not positive definite (x then unspecified).
 */
export function choleskySolve(S: ArrayLike<number>, n: number, b: ArrayLike<number>, x: Float64Array | number[]): boolean {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = S[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! ** 2;
    if (!(d > 1e-24)) return false;
    L[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = S[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / L[j * n + j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * z[k]!;
    z[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return true;
}
