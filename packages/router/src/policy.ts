/**
 * The router's policy over expert weights: a logistic-normal distribution. The net's expert logits mu are the
 * mean of a Gaussian with fixed scale sigma in logit space; a sampled logit vector a gives the weights softmax(a).
 * log pi(a) = -|a - mu|^2 / (2 sigma^2) + const, and KL(pi_theta || pi_ref) = |mu_theta - mu_ref|^2 / (2 sigma^2).
 * The deterministic decision is softmax(mu / temperature).
 */

/** Softmax of x[offset .. offset + n) / temperature into out[outOffset ...]. */
export function softmaxInto(x: ArrayLike<number>, offset: number, n: number, temperature: number, out: Float64Array | Float32Array, outOffset: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, x[offset + i]! / temperature);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.exp(x[offset + i]! / temperature - max);
    out[outOffset + i] = v;
    sum += v;
  }
  for (let i = 0; i < n; i++) out[outOffset + i] = out[outOffset + i]! / sum;
}

/** Blends weights out[offset .. offset + n) towards equal: (1 - lambda) w + lambda / n. */
export function shrinkTowardsEqual(out: Float64Array | Float32Array, offset: number, n: number, lambda: number): void {
  if (!(lambda > 0)) return;
  for (let i = 0; i < n; i++) out[offset + i] = (1 - lambda) * out[offset + i]! + lambda / n;
}

/** Mean KL(pi_a || pi_b) over rows of two [n x E] logit arrays, for policy scale sigma. */
export function meanPolicyKl(a: Float32Array, b: Float32Array, n: number, E: number, sigma: number): number {
  let s = 0;
  for (let i = 0; i < n * E; i++) s += (a[i]! - b[i]!) ** 2;
  return n === 0 ? 0 : s / (2 * sigma * sigma) / n;
}
