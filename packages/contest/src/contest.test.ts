import { Rng } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { allocate } from './allocation.ts';
import { Contest, type ContestSettings } from './contest.ts';
import { SETTINGS } from './testSettings.ts';
import { OnlineRidge } from './ridge.ts';
import { MIN_RECORD_WINDOWS, TrackRecord } from './trackRecord.ts';

const PPY = 8760;

/** Feeds `windows` windows of per-bar rewards: mean(i, w) per bar, unit noise; returns every frame. */
function play(n: number, windows: number, mean: (agent: number, window: number) => number, settings: ContestSettings = SETTINGS, seed = 1) {
  const rng = new Rng(seed);
  const contest = new Contest(n, settings, PPY);
  const reward = new Float64Array(n);
  const frames = [];
  for (let w = 0; w < windows; w++) {
    for (let b = 0; b < settings.window; b++) {
      for (let i = 0; i < n; i++) reward[i] = mean(i, w) + 0.01 * rng.normal();
      const frame = contest.observe(reward, 0, w * settings.window + b, b === settings.window - 1);
      if (frame) frames.push(frame);
    }
  }
  return frames;
}

describe('contest: planted skill', () => {
  // 20 agents; 0..4 skilled (per-bar Sharpe 0.25), the rest unskilled paying costs (-0.02)
  const skilled = (i: number) => i < 5;
  const frames = play(20, 80, (i) => (skilled(i) ? 0.0025 : -0.0002));

  it('adopts only skilled agents once they have enough windows, and stays out before', () => {
    expect(frames).toHaveLength(80);
    // nobody before the score model has 10 windows of pairs (twice the minimum sample)
    for (const f of frames.slice(0, 10)) expect(f.cash).toBe(true);
    expect(frames[10]!.ready).toBe(true);
    const late = frames.slice(20);
    expect(late.filter((f) => f.adopted.length > 0 && f.adopted.every(skilled)).length).toBeGreaterThanOrEqual(late.length * 0.95);
    // over the late windows every skilled agent is adopted most of the time
    for (let i = 0; i < 5; i++) expect(late.filter((f) => f.adopted.includes(i)).length).toBeGreaterThan(late.length * 0.8);
    const f = frames[frames.length - 1]!;
    expect(Array.from(f.weights).reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    // weights follow the predictions
    const [a, b] = [f.adopted[0]!, f.adopted[f.adopted.length - 1]!];
    expect(f.predicted[a]!).toBeGreaterThanOrEqual(f.predicted[b]!);
    expect(f.weights[a]! / f.weights[b]!).toBeCloseTo(f.predicted[a]! / f.predicted[b]!, 10);
  });

  it('drops an agent whose skill decays, within 15 windows, and does not take it back', () => {
    const decay = play(20, 90, (i, w) => (i === 0 ? (w < 40 ? 0.0025 : -0.0025) : skilled(i) ? 0.0025 : -0.0002), SETTINGS, 2);
    expect(decay[38]!.adopted).toContain(0);
    const dropped = decay.findIndex((f, w) => w >= 40 && !f.adopted.includes(0));
    expect(dropped).toBeGreaterThanOrEqual(40);
    expect(dropped).toBeLessThan(50);
    for (const f of decay.slice(dropped)) expect(f.adopted).not.toContain(0);
  });

  it('with every agent unskilled it stays in cash', () => {
    for (let seed = 3; seed < 8; seed++) {
      const costs = play(20, 80, () => -0.0002, SETTINGS, seed);
      expect(costs.filter((f) => !f.cash).length).toBeLessThanOrEqual(2);
    }
    // zero edge before costs too: the hurdle keeps noise out nearly always
    const zero = play(20, 80, () => 0, SETTINGS, 4);
    expect(zero.filter((f) => f.cash).length).toBeGreaterThanOrEqual(72);
  });
});

describe('contest: benchmark equal (scored relative to the equal-weight agent, held when nobody clears the hurdle)', () => {
  const EQUAL: ContestSettings = { ...SETTINGS, benchmark: 'equal' };
  /** Agent 0 is the benchmark: it earns the market (drift + common noise); agent i earns it plus edge(i) + its own noise. */
  function playRelative(n: number, windows: number, drift: number, edge: (agent: number) => number, settings: ContestSettings, seed = 1) {
    const rng = new Rng(seed);
    const contest = new Contest(n, settings, PPY, 0);
    const reward = new Float64Array(n);
    const frames = [];
    for (let w = 0; w < windows; w++) {
      for (let b = 0; b < settings.window; b++) {
        const market = drift + 0.01 * rng.normal();
        reward[0] = market;
        for (let i = 1; i < n; i++) reward[i] = market + edge(i) + 0.005 * rng.normal();
        const frame = contest.observe(reward, 0, w * settings.window + b, b === settings.window - 1);
        if (frame) frames.push(frame);
      }
    }
    return { frames, contest };
  }

  it('holds the benchmark from the first bar, never cash, and adopts only agents that beat it', () => {
    const skilled = (i: number) => i >= 1 && i <= 5;
    const { frames } = playRelative(20, 80, 0, (i) => (skilled(i) ? 0.0015 : -0.0002), EQUAL);
    expect(frames.every((f) => !f.cash)).toBe(true);
    for (const f of frames.slice(0, 10)) {
      expect(f.onBenchmark).toBe(true);
      expect(f.adopted).toEqual([0]);
      expect(f.weights[0]).toBe(1);
    }
    const late = frames.slice(20);
    expect(late.filter((f) => f.adopted.every(skilled)).length).toBeGreaterThanOrEqual(late.length * 0.95);
    // the benchmark's own excess is 0: it is never scored into the adopted set beside others
    expect(late.every((f) => !f.adopted.includes(0) || f.onBenchmark)).toBe(true);
  });

  it('a rising market carries every agent above the hurdle in cash mode; relative to the benchmark, none of them beats it', () => {
    // every agent = the benchmark minus costs, in a market rising at per-bar Sharpe 0.3
    const edge = () => -0.0002;
    const cash = playRelative(20, 80, 0.003, edge, SETTINGS, 3).frames.slice(20);
    const equal = playRelative(20, 80, 0.003, edge, EQUAL, 3).frames.slice(20);
    expect(cash.filter((f) => f.adopted.some((i) => i !== 0)).length).toBeGreaterThan(cash.length * 0.8);
    expect(equal.filter((f) => f.onBenchmark).length).toBeGreaterThanOrEqual(equal.length * 0.95);
  });

  it('refuses benchmark equal without a benchmark agent', () => {
    expect(() => new Contest(4, EQUAL, PPY)).toThrow(/benchmark agent/);
    expect(() => new Contest(4, EQUAL, PPY, 4)).toThrow(/got index 4/);
  });
});

describe('contest: track record (the score model\'s choices followed whether traded or not; traded only while they have paid)', () => {
  const EQUAL: ContestSettings = { ...SETTINGS, benchmark: 'equal', minSharpe: 0 };
  const RECORD: ContestSettings = { ...EQUAL, trackRecord: { windows: 20, minT: 1.645 } };
  /** Agent 0 is the benchmark; every other agent's edge over it is redrawn each window (no skill that persists). */
  function playNoise(settings: ContestSettings, seed: number) {
    const rng = new Rng(seed);
    const n = 20;
    const contest = new Contest(n, settings, PPY, 0);
    const reward = new Float64Array(n);
    const edge = new Float64Array(n);
    const frames = [];
    for (let w = 0; w < 120; w++) {
      for (let i = 1; i < n; i++) edge[i] = 0.002 * rng.normal();
      for (let b = 0; b < settings.window; b++) {
        const market = 0.01 * rng.normal();
        reward[0] = market;
        for (let i = 1; i < n; i++) reward[i] = market + edge[i]! + 0.005 * rng.normal();
        const frame = contest.observe(reward, 0, w * settings.window + b, b === settings.window - 1);
        if (frame) frames.push(frame);
      }
    }
    return frames.slice(20);
  }

  it('with edges that do not persist, the untracked contest trades its choices and the tracked one withholds most of them', () => {
    for (const seed of [1, 2, 3]) {
      const free = playNoise(EQUAL, seed);
      const tracked = playNoise(RECORD, seed);
      // the same choices (the record does not change what the model learns or chooses)
      expect(tracked.map((f) => Array.from(f.predicted))).toEqual(free.map((f) => Array.from(f.predicted)));
      expect(free.filter((f) => !f.onBenchmark).length).toBeGreaterThan(free.length * 0.5);
      expect(tracked.filter((f) => f.onBenchmark).length).toBeGreaterThan(tracked.length * 0.7);
      expect(tracked.filter((f) => f.withheld).length).toBeGreaterThan(tracked.length * 0.5);
      expect(free.every((f) => Number.isNaN(f.recordT) && !f.withheld)).toBe(true);
    }
  });

  it('the t-statistic over the ring of window means: by hand, oldest window dropped, windows without a choice left out', () => {
    const r = new TrackRecord(7);
    const w = Float64Array.of(0.5, 0.5);
    const tOf = (x: number[]) => {
      const m = x.reduce((s, v) => s + v, 0) / x.length;
      const sd = Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
      return (m / sd) * Math.sqrt(x.length);
    };
    // window 1: bars 0.02 and 0.01 (mean 0.015), and a bar with nobody chosen (ignored)
    r.observe([0.01, 0.03], 0, w, true);
    r.observe([0.02, 0.0], 0, w, true);
    r.observe([5, 5], 0, w, false);
    // a row where no asset had a return: no chosen agent has a reward, and the bar does not count
    r.observe([NaN, NaN], 0, w, true);
    r.close();
    // a window whose bars had no rewards leaves a gap, and so does one without a choice
    r.observe([NaN, NaN], 0, w, true);
    r.close();
    r.observe([5, 5], 0, w, false);
    r.close();
    // windows 4..7: one bar each; an agent without a reward counts 0
    for (const b of [[0.04, NaN], [-0.02, 0.0], [0.01, 0.01], [0.0, 0.02]]) {
      r.observe(b, 0, w, true);
      r.close();
    }
    expect(r.count).toBe(5);
    expect(r.tStat()).toBeCloseTo(tOf([0.015, 0.02, -0.01, 0.01, 0.01]), 12);
    // an eighth window replaces the first
    r.observe([0.06, 0.0], 0, w, true);
    r.close();
    expect(r.count).toBe(5);
    expect(r.tStat()).toBeCloseTo(tOf([0.02, -0.01, 0.01, 0.01, 0.03]), 12);
    // fewer than MIN_RECORD_WINDOWS windows: no statistic
    const short = new TrackRecord(20);
    for (let k = 0; k < MIN_RECORD_WINDOWS - 1; k++) {
      short.observe([0.01 + k * 0.001, 0.01], 0, w, true);
      short.close();
    }
    expect(short.tStat()).toBe(0);
    expect(() => new TrackRecord(0)).toThrow(/whole number >= 1/);
  });
});

describe('contest: switching costs in the track record (the move between chosen books is paid, not only each agent\'s trading)', () => {
  const RECORD: ContestSettings = { ...SETTINGS, benchmark: 'equal', minSharpe: 0, trackRecord: { windows: 20, minT: 1.645 } };
  const A = 3;
  /**
   * Agent 0 is the benchmark (0.5 on every asset); agent i > 0 holds +1 on asset i % A and -1 on the next one, so
   * books of different agents differ. Agents 1..6 beat the benchmark by `edge` per bar, the rest lose; the skill
   * moves to another six agents every 8 windows, so the choice keeps changing.
   */
  function playBooks(cost: number | undefined, seed = 1) {
    const rng = new Rng(seed);
    const n = 18;
    const contest = new Contest(n, RECORD, PPY, 0, cost === undefined ? undefined : { slot: 1 / A, cost, nAssets: A });
    const proposals = new Float32Array(n * A);
    for (let a = 0; a < A; a++) proposals[a] = 0.5;
    for (let i = 1; i < n; i++) {
      proposals[i * A + (i % A)] = 1;
      proposals[i * A + ((i + 1) % A)] = -1;
    }
    const reward = new Float64Array(n);
    const frames = [];
    for (let w = 0; w < 160; w++) {
      const first = 1 + 6 * (Math.floor(w / 4) % 2);
      for (let b = 0; b < RECORD.window; b++) {
        const market = 0.01 * rng.normal();
        reward[0] = market;
        for (let i = 1; i < n; i++) reward[i] = market + (i >= first && i < first + 6 ? 0.0008 : -0.0005) + 0.004 * rng.normal();
        const frame = contest.observe(reward, 0, w * RECORD.window + b, b === RECORD.window - 1, proposals, 0);
        if (frame) frames.push(frame);
      }
    }
    return frames.slice(20);
  }

  it('costs nothing at cost 0, and a costly switch lowers the record and withholds more choices, with the same choices', () => {
    for (const seed of [1, 2]) {
      const none = playBooks(undefined, seed);
      const free = playBooks(0, seed);
      expect(free.map((f) => [f.recordT, f.withheld, ...f.adopted])).toEqual(none.map((f) => [f.recordT, f.withheld, ...f.adopted]));
      // the record trades its choices when switching is free
      expect(free.filter((f) => !f.onBenchmark).length).toBeGreaterThan(free.length * 0.5);
      const costly = playBooks(0.01, seed);
      expect(costly.map((f) => Array.from(f.predicted))).toEqual(free.map((f) => Array.from(f.predicted)));
      const meanT = (fr: typeof free) => fr.reduce((s, f) => s + f.recordT, 0) / fr.length;
      expect(meanT(costly)).toBeLessThan(meanT(free) - 0.5);
      expect(costly.filter((f) => f.withheld).length).toBeGreaterThan(free.filter((f) => f.withheld).length + free.length * 0.2);
    }
  });

  it('needs the proposals of a bar that closes a window', () => {
    const contest = new Contest(2, RECORD, PPY, 0, { slot: 0.5, cost: 0.001, nAssets: 2 });
    const reward = Float64Array.of(0, 0);
    for (let b = 0; b < RECORD.window - 1; b++) contest.observe(reward, 0, b, false);
    expect(() => contest.observe(reward, 0, RECORD.window - 1, true)).toThrow(/needs the proposals/);
  });

  it('a charge into a choice lands on the window it starts, one back to the fallback on the window it ends (by hand)', () => {
    const w = Float64Array.of(1);
    const charged = new TrackRecord(10);
    const plain = new TrackRecord(10);
    const bars = [[0.02, 0.01], [0.03], [0.01, 0.0, 0.02], [0.04], [-0.01, 0.03]];
    bars.forEach((window, k) => {
      if (k === 1) charged.chargeNext(0.01);
      for (const v of window) {
        charged.observe([v], 0, w, true);
        plain.observe([v], 0, w, true);
      }
      charged.close();
      plain.close();
      if (k === 2) charged.chargeLast(0.006);
    });
    const tOf = (x: number[]) => {
      const m = x.reduce((s, v) => s + v, 0) / x.length;
      const sd = Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
      return (m / sd) * Math.sqrt(x.length);
    };
    expect(plain.tStat()).toBeCloseTo(tOf([0.015, 0.03, 0.01, 0.04, 0.01]), 12);
    // window 2 pays 0.01 over its one bar; window 3 pays 0.006 over its three
    expect(charged.tStat()).toBeCloseTo(tOf([0.015, 0.02, 0.008, 0.04, 0.01]), 12);
  });
});

describe('score model and allocation', () => {
  it('online ridge recovers planted coefficients and forgets the past', () => {
    const rng = new Rng(5);
    const m = new OnlineRidge(3, 1e-6);
    const x = new Float64Array(3);
    for (let k = 0; k < 2000; k++) {
      for (let j = 0; j < 3; j++) x[j] = rng.normal() * (j + 1);
      m.add(x, 0, 0.5 + 2 * x[0]! - x[2]! + 0.01 * rng.normal());
    }
    expect(m.fit()).toBe(true);
    expect(Array.from(m.beta).map((v) => Number(v.toFixed(2)))).toEqual([0.5, 2, 0, -1]);
    // a new relation, with forgetting, takes over
    for (let k = 0; k < 2000; k++) {
      m.decay(0.99);
      for (let j = 0; j < 3; j++) x[j] = rng.normal();
      m.add(x, 0, -1 + x[1]!);
    }
    m.fit();
    expect(m.beta[0]!).toBeCloseTo(-1, 2);
    expect(m.beta[2]!).toBeCloseTo(1, 2);
    // a heavy penalty shrinks the slopes, not the intercept
    const heavy = new OnlineRidge(1, 100);
    for (let k = 0; k < 100; k++) heavy.add([k % 2], 0, 3 + (k % 2));
    heavy.fit();
    expect(heavy.beta[1]!).toBeLessThan(0.05);
    expect(heavy.predict([0.5], 0)).toBeCloseTo(3.5, 1);
  });

  it('allocation: top k positive predictions in proportion, cash when none, covariance favours the diversifier', () => {
    const w = new Float64Array(5);
    const eligible = Uint8Array.from([1, 1, 1, 1, 0]);
    const base = { eligible, topK: 2, allocation: 'proportional' as const, covShrink: 0.5 };
    expect(allocate({ ...base, predicted: Float64Array.from([0.1, 0.3, -0.2, 0.2, 0.9]) }, w)).toEqual([1, 3]);
    expect(Array.from(w)).toEqual([0, 0.6, 0, 0.4, 0]);
    expect(allocate({ ...base, predicted: Float64Array.from([-0.1, -0.3, 0, -0.2, 0.9]) }, w)).toEqual([]);
    expect(Array.from(w)).toEqual([0, 0, 0, 0, 0]);
    // agents 0 and 1 nearly the same stream, 2 independent: equal predictions, 2 gets the largest weight
    const rng = new Rng(9);
    const bars = 400;
    const rewards = new Float64Array(bars * 3);
    for (let t = 0; t < bars; t++) {
      const common = rng.normal();
      rewards[t * 3] = common + 0.1 * rng.normal();
      rewards[t * 3 + 1] = common + 0.1 * rng.normal();
      rewards[t * 3 + 2] = rng.normal();
    }
    const w3 = new Float64Array(3);
    allocate({ predicted: Float64Array.from([0.1, 0.1, 0.1]), eligible: Uint8Array.from([1, 1, 1]), topK: 3, allocation: 'covariance', covShrink: 0.1, history: { rewards, bars } }, w3);
    expect(w3[2]!).toBeGreaterThan(w3[0]! + 0.15);
    expect(w3[0]! + w3[1]! + w3[2]!).toBeCloseTo(1, 12);
  });
});

describe('contest: a trusted choice blended with the fallback by its record (contest.adoption blend)', () => {
  const A = 3;
  /** Agent 0 is the benchmark; agents 1..4 beat it by a persistent edge, the rest lose; every agent's book differs. */
  function playAdoption(adoption: ContestSettings['adoption'], benchmark: ContestSettings['benchmark']) {
    const settings: ContestSettings = { ...SETTINGS, benchmark, adoption, minSharpe: 0, trackRecord: { windows: 20, minT: 1.645 } };
    const rng = new Rng(7);
    const n = 12;
    const contest = new Contest(n, settings, PPY, 0);
    const proposals = new Float32Array(n * A);
    for (let a = 0; a < A; a++) proposals[a] = 0.5;
    for (let i = 1; i < n; i++) {
      proposals[i * A + (i % A)] = 1;
      proposals[i * A + ((i + 1) % A)] = -0.5;
    }
    const reward = new Float64Array(n);
    const book = new Float64Array(A);
    const frames = [];
    for (let w = 0; w < 120; w++) {
      for (let b = 0; b < settings.window; b++) {
        const market = 0.01 * rng.normal();
        reward[0] = market;
        for (let i = 1; i < n; i++) reward[i] = market + (i <= 4 ? 0.001 : -0.0004) + 0.004 * rng.normal();
        const frame = contest.observe(reward, 0, w * settings.window + b, b === settings.window - 1, proposals, 0);
        if (frame) {
          contest.combine(proposals, 0, A, book, 0);
          frames.push({ ...frame, book: Array.from(book) });
        }
      }
    }
    return frames;
  }

  it('holds lambda = 1 - 1/t^2 of the choice and the rest on the benchmark (or in cash); the same choices and record as a switch', () => {
    for (const fallback of ['equal', 'cash'] as const) {
      const blend = playAdoption('blend', fallback);
      const whole = playAdoption('switch', fallback);
      // what the model predicts and how its record stands do not depend on how a choice is held
      expect(blend.map((f) => [Array.from(f.predicted), f.recordT, f.withheld])).toEqual(whole.map((f) => [Array.from(f.predicted), f.recordT, f.withheld]));
      const trusted = whole.map((f, k) => [f, blend[k]!] as const).filter(([f]) => f.recordT >= 1.645 && f.adopted.some((i) => i !== 0));
      expect(trusted.length, fallback).toBeGreaterThan(20);
      for (const [w, b] of trusted) {
        const lambda = 1 - 1 / (w.recordT * w.recordT);
        expect(lambda).toBeGreaterThan(0.6);
        expect(lambda).toBeLessThan(1);
        for (let i = 1; i < w.weights.length; i++) expect(b.weights[i]).toBeCloseTo(lambda * w.weights[i]!, 12);
        if (fallback === 'equal') {
          expect(b.weights[0]).toBeCloseTo(1 - lambda, 12);
          expect(b.adopted).toEqual([...w.adopted, 0]);
          // the book: lambda of the choice's, the rest the benchmark's proposal
          for (let a = 0; a < A; a++) expect(b.book[a]).toBeCloseTo(lambda * w.book[a]! + (1 - lambda) * 0.5, 6);
          expect(b.onBenchmark).toBe(false);
        } else {
          // (with cash, agent 0 is an agent like the others)
          expect(b.weights[0]).toBeCloseTo(lambda * w.weights[0]!, 12);
          expect(b.adopted).toEqual(w.adopted);
          for (let a = 0; a < A; a++) expect(b.book[a]).toBeCloseTo(lambda * w.book[a]!, 6);
        }
      }
      // untrusted windows hold the fallback alone, as before
      const held = blend.filter((f) => f.withheld);
      expect(held.length).toBeGreaterThan(0);
      for (const f of held) expect(f.adopted).toEqual(fallback === 'equal' ? [0] : []);
    }
  });
});
