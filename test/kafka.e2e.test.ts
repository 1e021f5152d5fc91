/**
 * The Kafka path against librdkafka's mock cluster (the real protocol): arena feed publishes, the daemon consumes
 * with a consumer group and commits after each ledger transaction; killed with SIGKILL and restarted it resumes
 * without loss or duplicates; a broker taken down and brought back is survived; 1,200 malformed messages are
 * rejected with their reasons (counted, sent to arena.md.rejected) without a crash. The books equal a replay of
 * the same bars.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BarMessage, type KafkaBarStream, REJECTED_TOPIC, barMessage, feedKafka, generateSyntheticMarket, kafkaClient, kafkaSource, threadedKafkaSource } from '@arena/streams';
import { malformed, startTestExchange } from '@arena/streams/testing';
import { ROOT, arena, killTracked, spawnArena } from './cli.ts';
import { countIn, readRows } from './ledgerDb.ts';
import { MockCluster, mockClusterUnavailable } from './kafka/mockCluster.ts';

const why = mockClusterUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'arena-kafka-'));
const WEIGHTS = ['--weights', 'trend=0.4,breakout=0.3,positioning=0.3'];
const FILLS = 'SELECT id, t, ts, asset, qty, price, fee FROM fills ORDER BY id';
const EQUITY = 'SELECT t, ts, equity, cash FROM equity ORDER BY t';
const BARS = 'SELECT COUNT(DISTINCT t) AS n FROM bars';

function daemon(args: string[]): { child: ChildProcess; log: () => string; exit: Promise<{ code: number | null; signal: string | null }> } {
  const child = spawnArena(['paper', '--source', 'kafka', ...args, '--port', '0']);
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, log: () => err, exit };
}

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(why !== undefined)(`kafka path (librdkafka mock cluster)${why ? ` [${why}]` : ''}`, () => {
  let cluster: MockCluster;
  beforeAll(async () => {
    cluster = await MockCluster.start(3);
    await cluster.createTopic('arena.md.bars.1h', 3);
    await cluster.createTopic('arena.md.bars.4h', 2);
    await cluster.createTopic('arena.md.bars.1d', 1);
    await cluster.createTopic('arena.md.bars.15m', 1);
    await cluster.createTopic('arena.md.bars.5m', 2);
    await cluster.createTopic('arena.md.bars.1m', 2);
    for (const t of [REJECTED_TOPIC, 'arena.decisions', 'arena.fills']) await cluster.createTopic(t, 1);
  }, 30_000);
  afterAll(async () => {
    // a daemon a failed test left running is stopped first (it would retry the stopped cluster's brokers)
    killTracked();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('feed -> consumer group -> ledger; SIGKILL + restart and a broker down and up: no loss, no duplicates, the books of a replay', async () => {
    const market = ['--synthetic', '--assets', '4', '--bars', '900'];
    const symbols = ['--symbols', 'SYN0/USD,SYN1/USD,SYN2/USD,SYN3/USD', '--timeframe', '1h'];
    const reference = join(dir, 'replay.db');
    const ref = arena(['paper', ...market, ...WEIGHTS, '--speed', 'max', '--exit-at-end', '--db', reference, '--port', '0']);
    expect(ref.code, ref.stderr).toBe(0);
    // the first 600 bars (2024-01-01 .. 2024-01-25)
    const feed1 = arena(['feed', '--brokers', cluster.bootstrap, ...market, '--timerange', '-20240126']);
    expect(feed1.code, feed1.stderr).toBe(0);
    expect(feed1.stderr).toMatch(/published 2400 bars of 4 symbols/);
    const db = join(dir, 'kafka.db');
    const args = [...symbols, ...WEIGHTS, '--brokers', cluster.bootstrap, '--group', 'g1', '--db', db];
    const first = daemon(args);
    await until('150 bars in the ledger', () => countIn(db, BARS) >= 150);
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const killedAt = countIn(db, BARS);
    expect(killedAt).toBeLessThan(600);
    const second = daemon(args);
    await until('600 bars after the restart', () => countIn(db, BARS) === 600);
    expect(second.log()).toMatch(/resumed paper run 1 \(restart 1\)/);
    // a broker goes away while the daemon waits, comes back; then the rest of the bars arrive
    await cluster.down(1);
    await new Promise((r) => setTimeout(r, 2500));
    await cluster.up(1);
    const feed2 = arena(['feed', '--brokers', cluster.bootstrap, ...market, '--timerange', '20240126-']);
    expect(feed2.code, feed2.stderr).toBe(0);
    await until('900 bars', () => countIn(db, BARS) === 900, 90_000);
    second.child.kill('SIGTERM');
    expect((await second.exit).code, second.log()).toBe(0);
    expect(readRows(db, FILLS)).toEqual(readRows(reference, FILLS));
    expect(readRows(db, EQUITY)).toEqual(readRows(reference, EQUITY));
    expect(countIn(db, "SELECT COUNT(*) AS n FROM events WHERE kind = 'rejected'")).toBe(0);
    // the ledger holds, per partition of the bars topic, the next offset to consume: every message is covered
    const offsets = readRows(db, 'SELECT source, part, position FROM offsets ORDER BY part') as { source: string; part: number; position: string }[];
    expect(offsets.map((o) => o.source)).toEqual(offsets.map(() => 'arena.md.bars.1h'));
    expect(offsets.length).toBeGreaterThan(1);
    expect(offsets.reduce((n, o) => n + Number(o.position), 0)).toBe(3600);
    // downstream: the daemon published fills and decisions, before and after its restart, each with the run's uid
    const { uid } = readRows(db, 'SELECT uid FROM runs WHERE id = 1')[0] as { uid: string };
    expect(JSON.parse(arena(['ledger', 'summary', '--db', db, '--json']).stdout)).toMatchObject({ run: 1, runUid: uid });
    const consumer = kafkaClient({ brokers: cluster.bootstrap.split(',') }).consumer({ groupId: 'check-fills', sessionTimeout: 3000, heartbeatInterval: 500, maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['arena.fills', 'arena.decisions'], fromBeginning: true });
    const out = { 'arena.fills': 0, 'arena.decisions': 0 } as Record<string, number>;
    const runUids = new Set<string>();
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        out[topic]!++;
        runUids.add(`${(JSON.parse(String(message.value)) as { runUid: string }).runUid} ${String(message.headers?.['arena-run-uid'])}`);
      },
    });
    await until('fills and decisions', () => out['arena.fills']! > 100 && out['arena.decisions']! > 50, 30_000);
    await consumer.disconnect();
    expect([...runUids]).toEqual([`${uid} ${uid}`]);
  }, 240_000);

  it('--exit-at-end: a new group consumes the topic, catches up, stays idle, exits 0 on its own; the run stays resumable', async () => {
    const db = join(dir, 'exit.db');
    const r = arena(['paper', '--symbols', 'SYN0/USD,SYN1/USD,SYN2/USD,SYN3/USD', '--timeframe', '1h', ...WEIGHTS, '--source', 'kafka', '--brokers', cluster.bootstrap, '--group', 'g-exit', '--db', db, '--port', '0', '--exit-at-end']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/caught up: no bar for 5 s after 900 bars/);
    expect(countIn(db, BARS)).toBe(900);
    expect(JSON.parse(arena(['ledger', 'summary', '--db', db, '--json']).stdout)).toMatchObject({ status: 'running', bars: 900 });
  }, 120_000);

  it('the ledger says where a restart starts: a new ledger on a group that has read the topic starts from its first message; a late bar that came while the daemon was down is rejected as late, not skipped; a quiet stream commits its last offsets', async () => {
    // a cluster of its own: the topic holds only this test's bars
    const own = await MockCluster.start(1);
    try {
      await own.createTopic('arena.md.bars.1h', 2);
      for (const t of [REJECTED_TOPIC, 'arena.decisions', 'arena.fills']) await own.createTopic(t, 1);
      await restartFromTheLedger(own.bootstrap);
    } finally {
      await own.stop();
    }
  }, 180_000);

  async function restartFromTheLedger(bootstrap: string): Promise<void> {
    const { panel } = generateSyntheticMarket({ seed: 12, assets: 2, bars: 130, timeframe: '1h' });
    const brokers = bootstrap.split(',');
    await feedKafka(panel.slice(0, 120), { brokers, venue: 'arena', speed: 'max' });
    const args = (db: string) => ['paper', '--source', 'kafka', '--symbols', panel.symbols.join(','), '--timeframe', '1h', ...WEIGHTS, '--brokers', bootstrap, '--group', 'g30', '--db', db, '--port', '0', '--exit-at-end'];
    const a = join(dir, 'g30-a.db');
    const first = arena(args(a));
    expect(first.code, first.stderr).toBe(0);
    expect(countIn(a, BARS)).toBe(120);
    // the group has committed the whole topic; a new ledger still starts from the first message (it holds nothing)
    const b = join(dir, 'g30-b.db');
    const fresh = arena(args(b));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(countIn(b, BARS)).toBe(120);
    expect(readRows(b, EQUITY)).toEqual(readRows(a, EQUITY));
    // while nothing runs: a second bar for a time the ledger holds (another volume), then ten new times
    const kafka = kafkaClient({ brokers });
    const producer = kafka.producer(); // KafkaJS 2's default: murmur2 of the key, as arena feed's
    await producer.connect();
    const late = { ...barMessage(panel, 'arena', 50, 0), volume: 77 };
    await producer.send({ topic: 'arena.md.bars.1h', messages: [{ key: `arena:${late.symbol}`, value: JSON.stringify(late) }], acks: -1 });
    await producer.disconnect();
    await feedKafka(panel.slice(120, 130), { brokers, venue: 'arena', speed: 'max' });
    const again = arena(args(a));
    expect(again.code, again.stderr).toBe(0);
    expect(countIn(a, BARS)).toBe(130);
    const rejected = readRows(a, "SELECT detail FROM events WHERE kind = 'rejected'") as { detail: string }[];
    expect(rejected.map((r) => r.detail)).toEqual([expect.stringMatching(new RegExp(`^arena\\.md\\.bars\\.1h:\\d+:\\d+: SYN0/USD bar at ${new Date(late.ts).toISOString().replace(/\./g, '\\.')} arrived after that time`))]);
    // the redelivered messages the ledger held were skipped, not rejected: the books are those of all 130 bars
    const volume = readRows(a, `SELECT volume FROM bars WHERE ts = ${late.ts} AND asset = 0`) as { volume: number }[];
    expect(volume).toEqual([{ volume: panel.volume[50 * 2] }]);
    // a consumer that has had every bar acked and then hears nothing commits the last positions without a close
    const source = await threadedKafkaSource({ brokers, groupId: 'g30-quiet', timeframe: '1h', symbols: panel.symbols, stopping: () => false, flushMs: 500 });
    let last: { part: number; position: number }[] = [];
    let n = 0;
    for await (const bar of source) {
      bar.written();
      await bar.ack();
      last = bar.offset.map((o) => ({ part: o.part, position: Number(o.position) })).sort((x, y) => x.part - y.part);
      if (++n === 130) break;
    }
    const admin = kafka.admin();
    await admin.connect();
    const committed = async () => (await admin.fetchOffsets({ groupId: 'g30-quiet', topics: ['arena.md.bars.1h'] }))[0]!.partitions.map((p) => ({ part: p.partition, position: Number(p.offset) })).filter((p) => p.position >= 0).sort((x, y) => x.part - y.part);
    let got = await committed();
    for (let k = 0; k < 150 && JSON.stringify(got) !== JSON.stringify(last); k++) {
      await new Promise((r) => setTimeout(r, 100));
      got = await committed();
    }
    expect(got).toEqual(last);
    await admin.disconnect();
    await source.close();
  }

  it('1,200 malformed messages among good bars: no crash, each rejected with its reason, counted and sent to arena.md.rejected', async () => {
    const market = ['--synthetic', '--assets', '2', '--bars', '240', '--timeframe', '4h'];
    const reference = join(dir, 'replay4h.db');
    expect(arena(['paper', ...market, ...WEIGHTS, '--speed', 'max', '--exit-at-end', '--db', reference, '--port', '0']).code).toBe(0);
    const db = join(dir, 'bad.db');
    const d = daemon(['--symbols', 'SYN0/USD,SYN1/USD', '--timeframe', '4h', ...WEIGHTS, '--brokers', cluster.bootstrap, '--group', 'g4h', '--db', db]);
    // the bad ones first (and a few after), then the good bars
    const kafka = kafkaClient({ brokers: cluster.bootstrap.split(',') });
    const producer = kafka.producer();
    await producer.connect();
    const good: BarMessage = { venue: 'arena', symbol: 'SYN0/USD', tf: '4h', ts: Date.UTC(2024, 0, 1), open: 100, high: 101, low: 99, close: 100.5, volume: 10 };
    const bad = malformed(1200, 7, good);
    for (let i = 0; i < bad.length; i += 200) await producer.send({ topic: 'arena.md.bars.4h', messages: bad.slice(i, i + 200).map((m) => ({ key: m.key, value: m.value })) });
    const feed = arena(['feed', '--brokers', cluster.bootstrap, ...market]);
    expect(feed.code, feed.stderr).toBe(0);
    await until('240 bars', () => countIn(db, BARS) === 240, 90_000);
    await until('1200 rejections recorded', () => countIn(db, "SELECT COUNT(*) AS n FROM events WHERE kind = 'rejected'") >= 1200, 30_000);
    const port = Number(/on http:\/\/127\.0\.0\.1:(\d+)/.exec(d.log())![1]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const rejected = [...metrics.matchAll(/^arena_events_rejected_total\{reason="(\w+)"\} (\d+)$/gm)].reduce((s, m) => s + Number(m[2]), 0);
    expect(rejected).toBe(1200);
    const reasons = readRows(db, "SELECT detail FROM events WHERE kind = 'rejected' LIMIT 3") as { detail: string }[];
    for (const r of reasons) expect(r.detail).toMatch(/^arena\.md\.bars\.4h:\d+:\d+: .{10,}/);
    d.child.kill('SIGTERM');
    expect((await d.exit).code, d.log()).toBe(0);
    expect(readRows(db, EQUITY)).toEqual(readRows(reference, EQUITY));
    const { uid: runUid } = readRows(db, 'SELECT uid FROM runs WHERE id = 1')[0] as { uid: string };
    const consumer = kafka.consumer({ groupId: 'check-rejected', sessionTimeout: 3000, heartbeatInterval: 500, maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: REJECTED_TOPIC, fromBeginning: true });
    let seen = 0;
    let withReason = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen++;
        const v = JSON.parse(String(message.value)) as { reason: string; topic: string; runUid: string };
        if (v.reason.length > 5 && v.topic === 'arena.md.bars.4h' && v.runUid === runUid && String(message.headers?.['arena-run-uid']) === runUid) withReason++;
      },
    });
    await until('1200 messages on arena.md.rejected', () => seen >= 1200, 30_000);
    expect(withReason).toBe(seen);
    await consumer.disconnect();
    await producer.disconnect();
  }, 240_000);

  it('a daemon that stops taking bars while the consumer waits on back-pressure: close() ends the wait and returns', async () => {
    const { panel } = generateSyntheticMarket({ seed: 6, assets: 1, bars: 900, timeframe: '15m' });
    const brokers = cluster.bootstrap.split(',');
    await feedKafka(panel, { brokers, venue: 'arena', speed: 'max' });
    const source = await kafkaSource({ brokers, groupId: 'stalls', timeframe: '15m', symbols: panel.symbols, stopping: () => false, flushMs: 60_000 });
    // one bar taken, then none (a daemon whose step failed): more than 256 ready bars hold the consumer's batch
    const it = source[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    await new Promise((r) => setTimeout(r, 2000));
    const started = performance.now();
    await source.close();
    expect(performance.now() - started).toBeLessThan(5000);
  }, 60_000);

  it('the consumer on its own thread hands over what it does in the calling thread, commits only what was acked, and closes promptly with the brokers gone', async () => {
    const { panel } = generateSyntheticMarket({ seed: 8, assets: 3, bars: 400, timeframe: '5m' });
    const brokers = cluster.bootstrap.split(',');
    const kafka = kafkaClient({ brokers });
    const producer = kafka.producer();
    await producer.connect();
    // malformed messages first, then the good bars
    const good: BarMessage = { venue: 'arena', symbol: panel.symbols[0]!, tf: '5m', ts: panel.ts[0]!, open: 100, high: 101, low: 99, close: 100.5, volume: 10 };
    const bad = malformed(60, 11, good);
    await producer.send({ topic: 'arena.md.bars.5m', messages: bad.map((m) => ({ key: m.key, value: m.value })) });
    await producer.disconnect();
    await feedKafka(panel, { brokers, venue: 'arena', speed: 'max' });
    const total = 60 + 400 * 3;
    type Taken = { ts: number; close: number[]; offset: { part: number; position: number }[] };
    /** every bar time the stream hands over (acked as the daemon does, after its ledger), up to `limit` */
    const drain = async (source: KafkaBarStream, limit = Infinity): Promise<Taken[]> => {
      const out: Taken[] = [];
      for await (const b of source) {
        out.push({ ts: b.ts, close: Array.from(b.row.close), offset: b.offset.map((o) => ({ part: o.part, position: Number(o.position) })) });
        b.written();
        await b.ack();
        if (out.length >= limit) break;
      }
      await source.close();
      return out;
    };
    const common = { brokers, timeframe: '5m' as const, symbols: panel.symbols, stopping: () => false, flushMs: 1000, exitWhenIdleMs: 3000 };
    const rejected: [string[], string[]] = [[], []];
    const inline = await drain(await kafkaSource({ ...common, groupId: 'same-inline', onReject: (k, r) => rejected[0].push(`${k} ${r}`) }), 400);
    const threaded = await drain(await threadedKafkaSource({ ...common, groupId: 'same-thread', onReject: (k, r) => rejected[1].push(`${k} ${r}`) }), 400);
    expect(threaded.length).toBe(400);
    expect(threaded.map((b) => [b.ts, b.close])).toEqual(inline.map((b) => [b.ts, b.close]));
    expect(threaded.map((b) => b.ts)).toEqual(Array.from(panel.ts));
    expect(rejected[1].length).toBe(60);
    // the same reasons at the same positions (a future-dated bar's reason says when it was checked)
    const same = (list: string[]) => list.map((r) => r.replace(/\(now [^)]*\)/, '(now)')).sort();
    expect(same(rejected[1])).toEqual(same(rejected[0]));
    // each step's positions never go back, and the last one covers every message of the topic
    for (const stream of [inline, threaded]) {
      for (let k = 1; k < stream.length; k++) for (const o of stream[k]!.offset) expect(o.position).toBeGreaterThanOrEqual(stream[k - 1]!.offset.find((p) => p.part === o.part)?.position ?? 0);
      expect(stream.at(-1)!.offset.reduce((n, o) => n + o.position, 0)).toBe(total);
    }
    // 150 times acked, then closed: the group's commit is the 150th step's positions, and a new consumer of the group
    // goes on with the 151st time
    const first = await drain(await threadedKafkaSource({ ...common, groupId: 'resume-thread' }), 150);
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: 'resume-thread', topics: ['arena.md.bars.5m'] });
    await admin.disconnect();
    const at150 = new Map(first.at(-1)!.offset.map((o) => [o.part, o.position]));
    expect(committed!.partitions.map((p) => [p.partition, Number(p.offset)]).sort()).toEqual([...at150].sort());
    const rest = await drain(await threadedKafkaSource({ ...common, groupId: 'resume-thread' }), 250);
    expect(rest.map((b) => b.ts)).toEqual(Array.from(panel.ts).slice(150));
    // exit once idle, counted from the group join: a new group's join takes 3 s here (the mock cluster's initial
    // rebalance delay), longer than the idle time; counted from the start, the stream could end before its first fetch
    const idle = await drain(await threadedKafkaSource({ ...common, groupId: 'idle-after-join', exitWhenIdleMs: 1000 }));
    expect(idle.length).toBe(400);
    // every broker gone: close() still returns promptly, says what it gave up, and the thread is stopped
    const lines: string[] = [];
    const stranded = await threadedKafkaSource({ ...common, groupId: 'stranded', log: (line, level) => lines.push(`${level ?? 'info'}: ${line}`) });
    expect((await stranded[Symbol.asyncIterator]().next()).done).toBe(false);
    for (const b of [1, 2, 3]) await cluster.down(b);
    const closing = performance.now();
    await stranded.close();
    // (close gives the consumer 2 s to commit and leave, then stops its thread: well under 8 s even under load)
    expect(performance.now() - closing).toBeLessThan(8000);
    // said as a warning, as are the client's own complaints meanwhile
    expect(lines.join('\n')).toMatch(/^warn: the Kafka consumer did not commit and leave its group within 2 s \(brokers unreachable\?\)/m);
    expect(lines.filter((l) => l.includes('kafka ')).every((l) => l.startsWith('warn: '))).toBe(true);
    for (const b of [1, 2, 3]) await cluster.up(b);
  }, 150_000);

  it('a daemon that takes no bar for a while: the waiting consumer is not an idle stream, no bar time goes incomplete', async () => {
    const { panel } = generateSyntheticMarket({ seed: 9, assets: 3, bars: 1500, timeframe: '1m' });
    const brokers = cluster.bootstrap.split(',');
    await feedKafka(panel, { brokers, venue: 'arena', speed: 'max' });
    const rejected: string[] = [];
    const source = await threadedKafkaSource({ brokers, groupId: 'parked', timeframe: '1m', symbols: panel.symbols, stopping: () => false, flushMs: 500, onReject: (k, r) => rejected.push(`${k} ${r}`) });
    const it = source[Symbol.asyncIterator]();
    const first = (await it.next()).value!;
    // 3 s without taking a bar: the consumer fills its 512 in flight and its 256 ready, then waits, for longer than flushMs
    await new Promise((r) => setTimeout(r, 3000));
    const rows = [first];
    first.written();
    await first.ack();
    while (rows.length < 1500) {
      const b = (await it.next()).value!;
      rows.push(b);
      b.written();
      await b.ack();
    }
    await source.close();
    expect(rejected).toEqual([]);
    expect(rows.map((b) => b.ts)).toEqual(Array.from(panel.ts));
    expect(rows.filter((b) => Array.from(b.row.present).some((p) => p !== 1)).length).toBe(0);
  }, 60_000);

  it('feed --source live: polls a Binance-like server through ccxt and publishes every closed bar', async () => {
    const { panel } = generateSyntheticMarket({ seed: 5, assets: 2, bars: 120, timeframe: '1d' });
    const ex = await startTestExchange(panel, ['BTC/USDT', 'ETH/USDT']);
    const child = spawnArena(['feed', '--source', 'live', '--exchange-url', ex.url, '--symbols', 'BTC/USDT,ETH/USDT', '--timeframe', '1d', '--poll-ms', '50', '--brokers', cluster.bootstrap]);
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const consumer = kafkaClient({ brokers: cluster.bootstrap.split(',') }).consumer({ groupId: 'check-live', sessionTimeout: 3000, heartbeatInterval: 500, maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'arena.md.bars.1d', fromBeginning: true });
    const got: BarMessage[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(JSON.parse(String(message.value)) as BarMessage) });
    try {
      await until('240 live bars on arena.md.bars.1d', () => got.length >= 240, 60_000);
    } finally {
      child.kill('SIGTERM');
      await consumer.disconnect();
      await ex.close();
    }
    expect(await exit, err).toBe(0);
    const btc = got.filter((m) => m.symbol === 'BTC/USDT').sort((a, b) => a.ts - b.ts);
    expect(btc.map((m) => m.ts)).toEqual(Array.from(panel.ts));
    expect(btc[7]!.close).toBe(panel.close[7 * 2]);
  }, 120_000);
});
