import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticMarket } from '@arena/streams';
import { afterAll, describe, expect, it } from 'vitest';
import { loadUserExpert } from './userModule.ts';
import { UserExpertsStage } from './userStage.ts';

const BOLLINGER = fileURLToPath(new URL('../../../examples/experts/bollinger.ts', import.meta.url));
const market = generateSyntheticMarket({ seed: 5, assets: 3, bars: 1200, timeframe: '1h' });
const panel = market.panel;
const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
const T = panel.nTimes;
const A = panel.nAssets;

// a market with gaps: the thread must see the same missing bars
for (let t = 300; t < 320; t++) panel.present[t * A + 1] = 0;

const dir = mkdtempSync(join(tmpdir(), 'arena-userthread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function moduleFile(name: string, source: string): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, source);
  return file;
}

/** every bar of every expert, once with run() over the panel, once stepped bar by bar */
function both(stage: () => UserExpertsStage, n: number): { run: Float64Array[]; stepped: Float64Array[]; runFaults: unknown[]; stepFaults: unknown[] } {
  const a = stage();
  const run = Array.from({ length: n }, () => new Float64Array(T * A));
  a.run(panel, 0, T, run);
  a.close();
  const b = stage();
  const stepped = Array.from({ length: n }, () => new Float64Array(T * A));
  for (let t = 0; t < T; t++) {
    b.step(panel, t);
    for (let u = 0; u < n; u++) stepped[u]!.set(b.exposure.subarray(u * A, (u + 1) * A), t * A);
  }
  b.close();
  return { run, stepped, runFaults: a.faults, stepFaults: b.faults };
}

describe('user experts on threads of their own (experts.userTimeoutMs)', () => {
  it('give the same exposures and faults as on the caller thread, over run() and stepping alike', async () => {
    const throws = moduleFile('late', `export default { init: () => ({ n: 0 }), step: (s, bar) => { s.n++; if (bar.t >= 700 && bar.asset === 2) throw new Error('feed me'); return Math.tanh(Math.log(bar.close / bar.open) * 50 + s.n * 1e-3); } };\n`);
    const user = [await loadUserExpert({ name: 'bollinger', module: BOLLINGER, params: {}, weight: 0.2 }), await loadUserExpert({ name: 'late', module: throws, params: {}, weight: 0.2 })];
    const inline = both(() => new UserExpertsStage(user, ctx), 2);
    const threads = both(() => new UserExpertsStage(user, ctx, { timeoutMs: 5000 }), 2);
    for (const x of [inline.stepped, threads.run, threads.stepped]) {
      expect(x[0]).toEqual(inline.run[0]);
      expect(x[1]).toEqual(inline.run[1]);
    }
    // they did something: the Bollinger expert takes positions, the other is 0 from its fault on
    expect(inline.run[0]!.some((v) => v !== 0)).toBe(true);
    expect(inline.run[1]!.subarray(699 * A, 700 * A).some((v) => v !== 0)).toBe(true);
    expect(inline.run[1]!.subarray(700 * A).every((v) => v === 0)).toBe(true);
    const fault = [{ expert: 'late', t: 700, reason: 'expert late failed at bar 700, asset 2: step threw: feed me; disabled for the rest of the run' }];
    for (const f of [inline.runFaults, inline.stepFaults, threads.runFaults, threads.stepFaults]) expect(f).toEqual(fault);
  }, 60_000);

  it("the daemon's step (stepLive) waits for a stuck bar without blocking its thread, with the same outputs and fault", async () => {
    const stuck = moduleFile('stuck-live', `export default { step: (_s, bar) => { if (bar.t >= 500) for (;;) {} return bar.close > bar.open ? 0.5 : -0.5; } };\n`);
    const user = [await loadUserExpert({ name: 'stuck', module: stuck, params: {}, weight: 0.2 }), await loadUserExpert({ name: 'bollinger', module: BOLLINGER, params: {}, weight: 0.2 })];
    const reference = [new Float64Array(T * A), new Float64Array(T * A)];
    const batch = new UserExpertsStage(user, ctx, { timeoutMs: 600 });
    batch.run(panel, 0, T, reference);
    batch.close();
    const live = new UserExpertsStage(user, ctx, { timeoutMs: 600 });
    const got = [new Float64Array(T * A), new Float64Array(T * A)];
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    let waited = 0;
    const faults: unknown[] = [];
    try {
      for (let t = 0; t < T; t++) {
        const r = live.stepLive(panel, t);
        const f = r instanceof Promise ? (waited++, await r) : r;
        if (f) faults.push(...f);
        for (let u = 0; u < 2; u++) got[u]!.set(live.exposure.subarray(u * A, (u + 1) * A), t * A);
      }
    } finally {
      clearInterval(ticker);
      live.close();
    }
    expect(got[0]).toEqual(reference[0]);
    expect(got[1]).toEqual(reference[1]);
    expect(faults).toEqual(batch.faults);
    expect(faults).toEqual([{ expert: 'stuck', t: 500, reason: expect.stringMatching(/did not finish bar 500 within 600 ms/) }]);
    // the stuck bar was waited for without blocking: the timer kept firing through its 600 ms
    expect(waited).toBeGreaterThanOrEqual(1);
    expect(ticks).toBeGreaterThan(20);
  }, 60_000);

  it.skipIf(!existsSync('/proc/thread-self'))('a daemon that lowers its other threads leaves the expert threads its loop waits on', () => {
    // in a process of its own: lowering is one-way, and the test runner's threads are not ours
    const here = (f: string) => JSON.stringify(fileURLToPath(new URL(f, import.meta.url)));
    const script = `
      import { readdirSync, readFileSync } from 'node:fs';
      const { lowerOtherThreads, BarPanel } = await import(${here('../../core/src/index.ts')});
      const { loadUserExpert } = await import(${here('./userModule.ts')});
      const { UserExpertThread } = await import(${here('./userThread.ts')});
      const user = await loadUserExpert({ name: 'b', module: ${JSON.stringify(BOLLINGER)}, params: {}, weight: 0.2 });
      const panel = new BarPanel(['A'], '1h', Float64Array.from([0, 3600000]));
      const thread = new UserExpertThread(user, { nAssets: 1, periodsPerYear: 8760 }, 5000);
      thread.run(panel, 0, 1, new Float64Array(1), 0);
      const tid = thread.threadId;
      const lowered = lowerOtherThreads(7);
      const nice = (t) => { const stat = readFileSync('/proc/self/task/' + t + '/stat', 'utf8'); return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); };
      const others = readdirSync('/proc/self/task').filter((t) => Number(t) !== tid).map(nice);
      console.log(JSON.stringify({ tid, lowered, threadNice: nice(tid), lowest: Math.max(...others) }));
      thread.close();
    `;
    // a file, not -e: a worker started from an -e script inherits --input-type and does not load
    const file = join(dir, 'lower.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { tid: number; lowered: number; threadNice: number; lowest: number };
    expect(out.tid).toBeGreaterThan(0);
    expect(out.lowered).toBeGreaterThan(2);
    expect(out.lowest).toBe(7);
    expect(out.threadNice).toBeLessThan(7);
  }, 60_000);

  it('a step that never returns disables that expert at its bar; the others and the caller go on', async () => {
    const stuck = moduleFile('stuck', `export default { step: (_s, bar) => { if (bar.t >= 500) for (;;) {} return 0.5; } };\n`);
    // process.exit on a thread ends that thread, not the process
    const quits = moduleFile('quits', `export default { step: (_s, bar) => { if (bar.t >= 800) process.exit(3); return -0.25; } };\n`);
    const user = [await loadUserExpert({ name: 'stuck', module: stuck, params: {}, weight: 0.2 }), await loadUserExpert({ name: 'quits', module: quits, params: {}, weight: 0.2 }), await loadUserExpert({ name: 'bollinger', module: BOLLINGER, params: {}, weight: 0.2 })];
    const reference = new Float64Array(T * A);
    new UserExpertsStage([user[2]!], ctx).run(panel, 0, T, [reference]);
    const t0 = performance.now();
    const { run, stepped, runFaults, stepFaults } = both(() => new UserExpertsStage(user, ctx, { timeoutMs: 300 }), 3);
    // two runs, each waiting 300 ms twice (plus the threads' start): not the test's limit
    expect(performance.now() - t0).toBeLessThan(30_000);
    for (const x of [run, stepped]) {
      expect(x[0]!.subarray(499 * A, 500 * A)).toEqual(new Float64Array(A).fill(0.5));
      expect(x[0]!.subarray(500 * A).every((v) => v === 0)).toBe(true);
      expect(x[1]!.subarray(799 * A, 800 * A)).toEqual(new Float64Array(A).fill(-0.25));
      expect(x[1]!.subarray(800 * A).every((v) => v === 0)).toBe(true);
      expect(x[2]).toEqual(reference);
    }
    for (const f of [runFaults, stepFaults]) {
      expect(f).toEqual([
        { expert: 'stuck', t: 500, reason: expect.stringMatching(/^expert stuck did not finish bar 500 within 300 ms \(a step that never returns, or its thread ran out of memory or ended\); its thread was stopped; disabled for the rest of the run$/) },
        { expert: 'quits', t: 800, reason: expect.stringMatching(/^expert quits did not finish bar 800 within 300 ms/) },
      ]);
    }
  }, 60_000);

  it('restart: another panel or other params on the same thread equal a fresh stage; a stopped thread is replaced, a hung init refused', async () => {
    const src = `export default {
      params: { k: { default: 1, min: 0, max: 10 } },
      init: (p) => { if (p.k === 9) for (;;) {} return { n: 0 }; },
      step: (s, bar, p) => { s.n++; if (p.k === 7 && bar.t >= 200) for (;;) {} return Math.tanh((bar.close / bar.open - 1) * 40 * p.k + s.n * 1e-4); },
    };\n`;
    const module = moduleFile('k', src);
    const user = [await loadUserExpert({ name: 'k', module, params: {}, weight: 0.2 })];
    const short = panel.slice(100, 700);
    /** the module loaded with these params, on the caller's thread over that panel */
    const fresh = async (p: typeof short, k: number) => {
      const x = new Float64Array(p.nTimes * A);
      new UserExpertsStage([await loadUserExpert({ name: 'k', module, params: { k }, weight: 0.2 }, { probe: false })], ctx).run(p, 0, p.nTimes, [x]);
      return x;
    };
    const stage = new UserExpertsStage(user, ctx, { timeoutMs: 400 });
    const out = (p: typeof short) => {
      const x = new Float64Array(p.nTimes * A);
      stage.run(p, 0, p.nTimes, [x]);
      return x;
    };
    try {
      const expected = [await fresh(panel, 1), await fresh(short, 1), await fresh(short, 3), await fresh(panel.slice(0, 200), 7), await fresh(short, 2)];
      expect(out(panel)).toEqual(expected[0]);
      expect(stage.threadStarts).toBe(1);
      stage.restart();
      expect(out(short)).toEqual(expected[1]);
      stage.restart([{ k: 3 }]);
      expect(out(short)).toEqual(expected[2]);
      // no thread was started for these: an init and 600 bars on the running one
      expect(stage.threadStarts).toBe(1);
      expect(stage.faults).toEqual([]);
      // a step stuck at bar 200 stops the thread; the next restart starts a new one
      stage.restart([{ k: 7 }]);
      const stuck = out(panel);
      expect(stage.faults).toEqual([{ expert: 'k', t: 200, reason: expect.stringMatching(/^expert k did not finish bar 200 within 400 ms/) }]);
      expect(stuck.subarray(0, 200 * A)).toEqual(expected[3]);
      stage.restart([{ k: 2 }]);
      expect(out(short)).toEqual(expected[4]);
      expect(stage.faults).toEqual([]);
      expect(stage.threadStarts).toBe(2);
      // an init that never returns, on the running thread: refused within the limit
      stage.restart([{ k: 9 }]);
      const t1 = performance.now();
      out(short);
      expect(performance.now() - t1).toBeLessThan(5000);
      expect(stage.faults).toEqual([{ expert: 'k', t: 0, reason: expect.stringMatching(/^expert k init did not finish within 400 ms; its thread was stopped/) }]);
    } finally {
      stage.close();
    }
    // closed for good: a restart starts nothing
    const starts = stage.threadStarts;
    stage.restart([{ k: 2 }]);
    out(short);
    expect(stage.threadStarts).toBe(starts);
    // an init that throws on a restart is the expert's fault at the run's first bar, on a thread and inline alike
    const throwing = `export default { params: { k: { default: 1, min: 0, max: 10 } }, init: (p) => { if (p.k === 4) throw new Error('no four'); return {}; }, step: () => 0.5 };\n`;
    const user4 = [await loadUserExpert({ name: 'k4', module: moduleFile('k4', throwing), params: {}, weight: 0.2 })];
    for (const timeoutMs of [0, 400]) {
      const s4 = new UserExpertsStage(user4, ctx, { timeoutMs });
      try {
        s4.run(short, 0, short.nTimes, [new Float64Array(short.nTimes * A)]);
        s4.restart([{ k: 4 }]);
        s4.run(short, 0, short.nTimes, [new Float64Array(short.nTimes * A)]);
        expect(s4.faults, `timeoutMs ${timeoutMs}`).toEqual([{ expert: 'k4', t: 0, reason: expect.stringMatching(/^expert k4 (could not start on its thread: )?init failed: no four; disabled/) }]);
      } finally {
        s4.close();
      }
    }
  }, 60_000);
});
