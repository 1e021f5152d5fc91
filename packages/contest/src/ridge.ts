/**
 * The score model: ridge regression fitted on line from sufficient statistics with exponential forgetting.
 * Pairs (x, y) accumulate into S = sum [1 x][1 x]' and b = sum [1 x] y; each window the past is multiplied by the
 * forgetting factor. The penalty is lambda x (pairs' weight) x var(x_j) on feature j (ridge on standardised
 * features), the intercept unpenalised. Solving is a Cholesky factorisation of a (d + 1)^2 matrix: no tensors
 * needed at this size.
 */
import { choleskySolve } from './linalg.ts';

export class OnlineRidge {
  /** (d + 1)^2, row-major */
  private readonly S: Float64Array;
  private readonly b: Float64Array;
  private readonly M: Float64Array;
  private readonly z: Float64Array;
  /** coefficients [intercept, x_1 .. x_d] of the last fit */
  readonly beta: Float64Array;
  /** weight of the pairs seen (decayed) and how many were ever added */
  weight = 0;
  pairs = 0;
  fitted = false;

  constructor(
    readonly dim: number,
    readonly lambda: number,
  ) {
    const n = dim + 1;
    this.S = new Float64Array(n * n);
    this.b = new Float64Array(n);
    this.M = new Float64Array(n * n);
    this.z = new Float64Array(n);
    this.beta = new Float64Array(n);
  }

  /** Multiplies the past pairs' weight by f (forgetting). */
  decay(f: number): void {
    if (f === 1) return;
    for (let i = 0; i < this.S.length; i++) this.S[i] = this.S[i]! * f;
    for (let i = 0; i < this.b.length; i++) this.b[i] = this.b[i]! * f;
    this.weight *= f;
  }

  /** Adds one pair; x at x[offset .. offset + dim). */
  add(x: ArrayLike<number>, offset: number, y: number): void {
    const n = this.dim + 1;
    const S = this.S;
    for (let i = 0; i < n; i++) {
      const xi = i === 0 ? 1 : x[offset + i - 1]!;
      this.b[i] = this.b[i]! + xi * y;
      for (let j = 0; j <= i; j++) {
        const xj = j === 0 ? 1 : x[offset + j - 1]!;
        S[i * n + j] = S[i * n + j]! + xi * xj;
      }
    }
    this.weight += 1;
    this.pairs += 1;
  }

  /** Solves for beta; false (and beta unchanged) when there is no weight yet or the system is not positive definite. */
  fit(): boolean {
    const n = this.dim + 1;
    const w = this.weight;
    if (!(w > 0)) return false;
    const { S, M, z } = this;
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) M[i * n + j] = S[i * n + j]!;
    for (let j = 1; j < n; j++) {
      const m = S[j * n]! / w; // sum of x_j, in the lower triangle's first column
      const variance = S[j * n + j]! / w - m * m;
      M[j * n + j] = M[j * n + j]! + this.lambda * w * Math.max(variance, 1e-12);
    }
    if (!choleskySolve(M, n, this.b, this.z)) return false;
    this.beta.set(this.z);
    this.fitted = true;
    return true;
  }

  predict(x: ArrayLike<number>, offset: number): number {
    let y = this.beta[0]!;
    for (let j = 0; j < this.dim; j++) y += this.beta[j + 1]! * x[offset + j]!;
    return y;
  }
}
