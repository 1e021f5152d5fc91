/**
 * AgentRewards: the contest's scoring of many agents at once. Each row t holds every agent's proposed exposures
 * per asset ([t][agent][asset], in [-1, 1]); the reward of agent i's proposal at t is what it would have earned as
 * a book of `slot` of equity per unit exposure, held over the return in `returns` row t, after paying `cost` on
 * the change from its previous proposal:
 *   reward[t, i] = slot * sum_a P[t,i,a] r[t,a]  -  cost * slot * sum_a |P[t,i,a] - P[t-1,i,a]|
 * An asset whose return is NaN (a missing bar) earns 0 but its turnover still pays; a row whose returns are all NaN
 * (not yet known) is NaN.
 */
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { AgentRewards as NAME } from '../names.ts';
import { fromFloat32 } from './util.ts';

export interface AgentRewardsInput {
  /** [rows * agents * assets], row-major by t, then agent, then asset */
  readonly proposals: Float32Array;
  readonly agents: number;
  /** [rows x assets]: the return of holding from row t over the horizon */
  readonly returns: Matrix;
  /** proposals of the row before the first ([agents * assets]); zeros (flat) when absent */
  readonly previous?: Float32Array;
}

export interface AgentRewardsParams {
  /** fraction of equity per unit of exposure (maxGross / assets) */
  readonly slot: number;
  /** cost per unit of traded notional (fee + half spread), e.g. 0.0012 */
  readonly cost: number;
}

/** float32 elements of proposals per tfjs chunk; tests lower it. */
export const agentRewardsLimits = { chunkElements: 1 << 22 };

function check(x: AgentRewardsInput, p: AgentRewardsParams): { rows: number; assets: number } {
  const rows = x.returns.rows;
  const assets = x.returns.cols;
  if (!(x.agents >= 1) || !Number.isInteger(x.agents)) throw new Error(`AgentRewards needs an integer number of agents >= 1, got ${x.agents}`);
  if (x.proposals.length !== rows * x.agents * assets) {
    throw new Error(`AgentRewards proposals hold ${x.proposals.length} values, expected ${rows} rows x ${x.agents} agents x ${assets} assets`);
  }
  if (x.previous !== undefined && x.previous.length !== x.agents * assets) throw new Error(`AgentRewards previous row holds ${x.previous.length} values, expected ${x.agents * assets}`);
  if (!(p.slot > 0) || !(p.cost >= 0)) throw new Error(`AgentRewards needs slot > 0 and cost >= 0, got ${p.slot} and ${p.cost}`);
  return { rows, assets };
}

/**
 * One row: out[outOffset + i] = agent i's reward for the proposals at P[pOffset ..] ([agent * assets + a]), after the
 * change from `prev` at prevOffset (undefined: from flat), on the returns at ret[retOffset ..]; NaN when every
 * return is NaN. The per-step path of the paper daemon; allocates nothing.
 */
export function agentRewardRow(
  P: Float32Array,
  pOffset: number,
  prev: Float32Array | undefined,
  prevOffset: number,
  ret: ArrayLike<number>,
  retOffset: number,
  agents: number,
  assets: number,
  p: AgentRewardsParams,
  out: Float64Array,
  outOffset: number,
): void {
  const A = assets;
  let known = false;
  for (let a = 0; a < A; a++) if (ret[retOffset + a] === ret[retOffset + a]) known = true;
  for (let i = 0; i < agents; i++) {
    if (!known) {
      out[outOffset + i] = NaN;
      continue;
    }
    const base = pOffset + i * A;
    let gross = 0;
    let traded = 0;
    for (let a = 0; a < A; a++) {
      const w = P[base + a]!;
      const ra = ret[retOffset + a]!;
      if (ra === ra) gross += w * ra;
      const d = w - (prev !== undefined ? prev[prevOffset + i * A + a]! : 0);
      traded += d < 0 ? -d : d;
    }
    out[outOffset + i] = p.slot * gross - p.cost * p.slot * traded;
  }
}

/** Reference: float64 accumulation over the float32 proposals, row by row. */
export function agentRewardsCpu(x: AgentRewardsInput, p: AgentRewardsParams): Matrix {
  const { rows, assets: A } = check(x, p);
  const N = x.agents;
  const out = nanMatrix(rows, N);
  for (let t = 0; t < rows; t++) {
    const prev = t > 0 ? x.proposals : x.previous;
    agentRewardRow(x.proposals, t * N * A, prev, t > 0 ? (t - 1) * N * A : 0, x.returns.data, t * A, N, A, p, out.data, t * N);
  }
  return out;
}

export const AgentRewardsKernel: Kernel<AgentRewardsInput, AgentRewardsParams, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.proposals.length,
  cpu: agentRewardsCpu,
  // per chunk of rows: a batched matMul [n, N, A] x [n, A, 1] for the gross return, and |P - P shifted by one row|
  // summed over assets for the turnover. float32: error ~1e-7 of the reward scale.
  async tfjs(tf, x, p) {
    const { rows, assets: A } = check(x, p);
    const N = x.agents;
    const out = nanMatrix(rows, N);
    const perChunk = Math.max(1, Math.floor(agentRewardsLimits.chunkElements / (N * A)));
    for (let from = 0; from < rows; from += perChunk) {
      const to = Math.min(rows, from + perChunk);
      const n = to - from;
      const before = from > 0 ? x.proposals.subarray((from - 1) * N * A, from * N * A) : (x.previous ?? new Float32Array(N * A));
      const ret = Float32Array.from(x.returns.data.subarray(from * A, to * A));
      const known = new Float32Array(n);
      for (let t = 0; t < n; t++) {
        for (let a = 0; a < A; a++) {
          const v = ret[t * A + a]!;
          if (v === v) known[t] = 1;
          else ret[t * A + a] = 0;
        }
      }
      const rewards = tf.tidy(() => {
        const P = tf.tensor3d(x.proposals.subarray(from * N * A, to * N * A), [n, N, A]);
        const prev = tf.concat([tf.tensor3d(before, [1, N, A]), n > 1 ? tf.slice(P, [0, 0, 0], [n - 1, N, A]) : tf.zeros([0, N, A])], 0);
        const gross = tf.reshape(tf.matMul(P, tf.tensor3d(ret, [n, A, 1])), [n, N]);
        const traded = tf.sum(tf.abs(tf.sub(P, prev)), 2);
        return tf.sub(tf.mul(gross, p.slot), tf.mul(traded, p.cost * p.slot));
      });
      const values = (await rewards.data()) as Float32Array;
      rewards.dispose();
      fromFloat32(values, out.data, from * N);
      for (let t = 0; t < n; t++) if (known[t] === 0) out.data.fill(NaN, (from + t) * N, (from + t + 1) * N);
    }
    return out;
  },
});
