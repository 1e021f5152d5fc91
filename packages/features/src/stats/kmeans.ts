/** k-means++ (seeded) over small point sets, and the silhouette that picks k when it is not configured. */
import { Rng } from '@arena/core';

export interface Clustering {
  readonly k: number;
  /** cluster of each point */
  readonly labels: Int32Array;
  /** k x dim, row-major */
  readonly centroids: Float64Array;
  /** sum of squared distances to the assigned centroid */
  readonly inertia: number;
}

function dist2(x: Float64Array, i: number, c: Float64Array, j: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const v = x[i * dim + d]! - c[j * dim + d]!;
    s += v * v;
  }
  return s;
}

/** One k-means run: k-means++ seeding (D^2 sampling) then Lloyd iterations until no label changes. */
function kmeansOnce(points: Float64Array, n: number, dim: number, k: number, rng: Rng, maxIter: number): Clustering {
  const centroids = new Float64Array(k * dim);
  const d2 = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let j = 0; j < k; j++) {
    centroids.set(points.subarray(pick * dim, (pick + 1) * dim), j * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = dist2(points, i, centroids, j, dim);
      if (d < d2[i]!) d2[i] = d;
      total += d2[i]!;
    }
    if (j === k - 1) break;
    let r = rng.next() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= d2[i]!;
      if (r <= 0) {
        pick = i;
        break;
      }
    }
  }
  const labels = new Int32Array(n).fill(-1);
  const counts = new Int32Array(k);
  let inertia = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const d = dist2(points, i, centroids, j, dim);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      if (labels[i] !== best) changed++;
      labels[i] = best;
      inertia += bestD;
    }
    if (changed === 0 && iter > 0) break;
    centroids.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = labels[i]!;
      counts[j]!++;
      for (let d = 0; d < dim; d++) centroids[j * dim + d]! += points[i * dim + d]!;
    }
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        // an empty cluster takes the point farthest from its centroid
        let far = 0;
        let farD = -1;
        for (let i = 0; i < n; i++) {
          const d = dist2(points, i, centroids, labels[i]!, dim);
          if (d > farD) {
            farD = d;
            far = i;
          }
        }
        centroids.set(points.subarray(far * dim, (far + 1) * dim), j * dim);
        continue;
      }
      for (let d = 0; d < dim; d++) centroids[j * dim + d]! /= counts[j]!;
    }
  }
  return { k, labels, centroids, inertia };
}

/** Best of `restarts` k-means++ runs by inertia. points: n x dim row-major. */
export function kmeans(points: Float64Array, n: number, dim: number, k: number, seed: number, restarts = 3, maxIter = 30): Clustering {
  if (k < 1 || k > n) throw new Error(`k-means needs 1 <= k <= ${n} points, got k = ${k}`);
  const rng = new Rng(seed);
  let best: Clustering | undefined;
  for (let r = 0; r < restarts; r++) {
    const c = kmeansOnce(points, n, dim, k, rng.fork(r + 1), maxIter);
    if (best === undefined || c.inertia < best.inertia) best = c;
  }
  return best!;
}

/** The n x n Euclidean distances between the points (what every silhouette of one point set reads). */
export function pairwiseDistances(points: Float64Array, n: number, dim: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) out[i * n + j] = out[j * n + i] = Math.sqrt(dist2(points, i, points, j, dim));
  }
  return out;
}

/** Mean silhouette of a clustering (points alone in their cluster count 0); `distances` from pairwiseDistances. */
export function silhouette(points: Float64Array, n: number, dim: number, c: Clustering, distances = pairwiseDistances(points, n, dim)): number {
  const sums = new Float64Array(c.k);
  const counts = new Int32Array(c.k);
  for (let i = 0; i < n; i++) counts[c.labels[i]!]!++;
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      sums[c.labels[j]!]! += distances[i * n + j]!;
    }
    const own = c.labels[i]!;
    if (counts[own]! <= 1) continue;
    const a = sums[own]! / (counts[own]! - 1);
    let b = Infinity;
    for (let j = 0; j < c.k; j++) if (j !== own && counts[j]! > 0) b = Math.min(b, sums[j]! / counts[j]!);
    if (b === Infinity) continue;
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / n;
}

/** k in [kMin, kMax] with the highest mean silhouette (ties: the smaller k). */
export function kmeansAuto(points: Float64Array, n: number, dim: number, kMin: number, kMax: number, seed: number): Clustering & { silhouette: number } {
  const hi = Math.min(kMax, n - 1);
  let best: (Clustering & { silhouette: number }) | undefined;
  // the distances are the same for every k: computed once
  const distances = pairwiseDistances(points, n, dim);
  for (let k = Math.max(2, kMin); k <= hi; k++) {
    const c = kmeans(points, n, dim, k, seed + k);
    const s = silhouette(points, n, dim, c, distances);
    if (best === undefined || s > best.silhouette + 1e-12) best = { ...c, silhouette: s };
  }
  if (best === undefined) return { ...kmeans(points, n, dim, 1, seed), silhouette: 0 };
  return best;
}
