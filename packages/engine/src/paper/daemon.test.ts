import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@arena/core';
import { generateSyntheticMarket, replayPanel } from '@arena/streams';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/ledger.ts';
import { daemonPipeline } from '../pipeline/build.ts';
import { ControlInbox } from './controlInbox.ts';
import { type SourceBar, rebuild, runLoop } from './daemon.ts';
import { PaperMetrics } from './prometheus.ts';
import { PaperStore } from './store.ts';

const RULES = parseConfig({ experts: { weights: { trend: 0.5, breakout: 0.5 } }, router: { mode: 'static' } });
const { panel } = generateSyntheticMarket({ seed: 4, assets: 3, bars: 300, timeframe: '1h' });

function setup() {
  const path = join(mkdtempSync(join(tmpdir(), 'arena-loop-')), 'ledger.db');
  const ledger = Ledger.open(path);
  const { run } = PaperStore.openRun(ledger, { source: 'test', symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config: RULES });
  const store = new PaperStore(ledger, run.runId);
  const pipeline = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config: RULES, periodsPerYear: panel.periodsPerYear() });
  let commits = 0;
  const commit = store.commit.bind(store);
  store.commit = () => {
    commits++;
    commit();
  };
  // what another process sees: committed rows only
  const reader = () => Ledger.open(path, { readOnly: true });
  return { ledger, store, pipeline, commits: () => commits, reader };
}

const stepsIn = (l: Ledger) => (l.db.prepare('SELECT COUNT(*) AS n FROM equity').get() as { n: number }).n;
/** the source position the ledger would resume from (written once per group commit: the last committed step's) */
const positionIn = (l: Ledger) => (l.db.prepare("SELECT position FROM offsets WHERE source = 'replay'").get() as { position: string } | undefined)?.position;

describe('runLoop: group commit', () => {
  it('a backlog commits in groups; every step, in order, reaches the ledger, and each ack follows its commit', async () => {
    const { ledger, store, pipeline, commits, reader } = setup();
    const events: string[] = [];
    const source = (async function* (): AsyncGenerator<SourceBar> {
      for await (const b of replayPanel(panel, { speed: 'max' })) {
        yield { ...b, written: () => events.push(`w${b.ts}`), ack: () => void events.push(`a${b.ts}`) };
      }
    })();
    const ended = await runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'test'), source, stopping: () => false, log: () => undefined });
    expect(ended).toBe('end');
    const r = reader();
    expect(stepsIn(r)).toBe(panel.nTimes);
    expect(positionIn(r)).toBe(String(panel.ts[panel.nTimes - 1]));
    r.close();
    // back-to-back bars share transactions (at most 256 steps or 25 ms each)
    expect(commits()).toBeLessThan(panel.nTimes / 4);
    expect(commits()).toBeGreaterThanOrEqual(Math.ceil(panel.nTimes / 256));
    // written in bar order as stepped; acks in bar order, each after its own write
    const w = events.filter((e) => e[0] === 'w');
    const a = events.filter((e) => e[0] === 'a');
    expect(w.map((e) => e.slice(1))).toEqual(Array.from(panel.ts, String));
    expect(a.map((e) => e.slice(1))).toEqual(Array.from(panel.ts, String));
    for (const ts of panel.ts) expect(events.indexOf(`w${ts}`)).toBeLessThan(events.indexOf(`a${ts}`));
    ledger.close();
  });

  it('a bar that is not waiting: what was stepped is committed before the loop waits for it (a live daemon commits every bar)', async () => {
    const { ledger, store, pipeline, commits, reader } = setup();
    const seen: number[] = [];
    let handed = 0;
    const source = (async function* (): AsyncGenerator<SourceBar> {
      for await (const b of replayPanel(panel.slice(0, 40), { speed: 'max' })) {
        // the bars before this one are in the ledger, as another connection sees it
        const r = reader();
        seen.push(stepsIn(r) - handed);
        r.close();
        handed++;
        yield b;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'test'), source, stopping: () => false, log: () => undefined });
    expect(seen).toEqual(Array.from({ length: 40 }, () => 0));
    expect(commits()).toBe(40);
    ledger.close();
  });

  it('a step that throws: the steps before it are committed and acked, its own writes and ack are not', async () => {
    const { ledger, store, pipeline, reader } = setup();
    const failAt = panel.ts[120]!;
    const step = pipeline.step.bind(pipeline);
    pipeline.step = async (ts, row) => {
      if (ts === failAt) {
        await step(ts, row);
        throw new Error('boom after the step ran');
      }
      return step(ts, row);
    };
    const acked: number[] = [];
    const source = (async function* (): AsyncGenerator<SourceBar> {
      for await (const b of replayPanel(panel, { speed: 'max' })) yield { ...b, ack: () => void acked.push(b.ts) };
    })();
    await expect(runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'test'), source, stopping: () => false, log: () => undefined })).rejects.toThrow(/boom/);
    const r = reader();
    expect(stepsIn(r)).toBe(120);
    // the position is the last committed step's, not the failed one's
    expect(positionIn(r)).toBe(String(panel.ts[119]));
    r.close();
    expect(acked).toEqual(Array.from(panel.ts.subarray(0, 120)));
    ledger.close();
  });
  it('a publish that fails: the steps published before it are not published again, the failing one is retried once', async () => {
    const { ledger, store, pipeline } = setup();
    const published: number[] = [];
    let failed = false;
    const onStep = (step: { ts: number }) => {
      // the 50th step's publish fails once, in the middle of a group's acks
      if (published.length === 50 && !failed) {
        failed = true;
        throw new Error('the broker is gone');
      }
      published.push(step.ts);
    };
    const source = replayPanel(panel, { speed: 'max' });
    await expect(runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'test'), source, stopping: () => false, log: () => undefined, onStep })).rejects.toThrow('the broker is gone');
    // at least once, never twice: each published step once, in order, the failing one included (by the final flush)
    expect(new Set(published).size).toBe(published.length);
    expect(published.length).toBeGreaterThan(50);
    expect(published).toEqual(Array.from(panel.ts).slice(0, published.length));
    ledger.close();
  });
});

describe('runLoop: operator controls', () => {
  const requests = (l: Ledger) => l.db.prepare('SELECT id, kind, applied_t FROM control_requests ORDER BY id').all() as { id: number; kind: string; applied_t: number | null }[];

  it('a request during an open group is committed after the group, never inside it (it could be rolled back with it), then applied by the next step', async () => {
    const { ledger, store, pipeline, reader } = setup();
    const inbox = new ControlInbox(pipeline, store);
    let during: { open: boolean; pending: number; visible: number } | undefined;
    let confirmed: { stepped: number } | undefined;
    const source = (async function* (): AsyncGenerator<SourceBar> {
      let i = 0;
      for await (const b of replayPanel(panel, { speed: 'max' })) {
        if (i++ === 100) {
          // a backlog: the loop holds a group transaction open while it pulls the next bar
          void inbox.request('pause').then(() => {
            const r = reader();
            confirmed = { stepped: stepsIn(r) };
            r.close();
          });
          const r = reader();
          during = { open: store.inTransaction, pending: inbox.pending, visible: requests(r).length };
          r.close();
        }
        yield b;
      }
    })();
    await runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'test'), source, stopping: () => false, log: () => undefined, controls: inbox });
    expect(during).toEqual({ open: true, pending: 1, visible: 0 });
    // confirmed once committed, with the group it waited for: the steps up to the commit are in the ledger
    expect(confirmed!.stepped).toBeGreaterThanOrEqual(100);
    const [req] = requests(ledger);
    expect(req).toMatchObject({ id: 1, kind: 'pause' });
    // applied by the first step after the commit, and recorded with that bar
    expect(req!.applied_t).toBe(confirmed!.stepped);
    expect(ledger.db.prepare('SELECT t, kind FROM controls').all()).toEqual([{ t: req!.applied_t, kind: 'pause' }]);
    expect((ledger.db.prepare('SELECT COUNT(*) AS n FROM orders WHERE t >= ?').get(req!.applied_t) as { n: number }).n).toBe(0);
    ledger.close();
  });

  it('a confirmed request no step applied (the daemon stopped before the next bar) is applied by the first step after the restart', async () => {
    const { ledger, store, pipeline } = setup();
    const first = new ControlInbox(pipeline, store);
    await runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'test'), source: replayPanel(panel.slice(0, 200), { speed: 'max' }), stopping: () => false, log: () => undefined, controls: first });
    // between transactions: written (committed) at once
    await first.request('flatten');
    expect(requests(ledger)).toEqual([{ id: 1, kind: 'flatten', applied_t: null }]);
    // the restart: a fresh pipeline rebuilt from the ledger, the request queued again
    const again = new PaperStore(ledger, store.runId);
    const p2 = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config: RULES, periodsPerYear: panel.periodsPerYear() });
    const { lastTs } = await rebuild(p2, again);
    const inbox = new ControlInbox(p2, again);
    expect(inbox.resumeUnapplied()).toEqual([{ id: 1, kind: 'flatten' }]);
    const held = Array.from(p2.book.broker.units).some((u) => u !== 0);
    expect(held).toBe(true);
    const steps: { t: number; controls?: readonly string[] }[] = [];
    await runLoop({ pipeline: p2, store: again, metrics: new PaperMetrics('none', 'test'), source: replayPanel(panel, { speed: 'max', after: lastTs! }), stopping: () => false, log: () => undefined, controls: inbox, onStep: (s) => void steps.push({ t: s.t, ...(s.controls ? { controls: s.controls } : {}) }) });
    expect(steps[0]).toEqual({ t: 200, controls: ['flatten'] });
    expect(steps.slice(1).every((s) => s.controls === undefined)).toBe(true);
    expect(requests(ledger)).toEqual([{ id: 1, kind: 'flatten', applied_t: 200 }]);
    expect(Array.from(p2.book.broker.units).every((u) => u === 0)).toBe(true);
    // a second restart replays it from controls, at the same bar, to the same books
    const p3 = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config: RULES, periodsPerYear: panel.periodsPerYear() });
    await rebuild(p3, new PaperStore(ledger, store.runId));
    expect(p3.book.equity).toBe(p2.book.equity);
    expect(new ControlInbox(p3, again).resumeUnapplied()).toEqual([]);
    ledger.close();
  });
});
