import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('./threadPriority.ts', import.meta.url));

// in a process of its own: lowering is one-way for an unprivileged process, and the test runner's threads are not ours
const SCRIPT = `
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
const { lowerOtherThreads } = await import(${JSON.stringify(MODULE)});
const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
await once(worker, 'online');
// a second worker reports its thread id: it is kept as it is
const kept = new Worker("const { parentPort } = await import('node:worker_threads'); const { readlinkSync } = await import('node:fs'); parentPort.postMessage(readlinkSync('/proc/thread-self').split('/').pop()); setInterval(() => {}, 1000)", { eval: true });
const keptTid = String((await once(kept, 'message'))[0]);
const nice = () => Object.fromEntries(readdirSync('/proc/self/task').map((t) => {
  const stat = readFileSync('/proc/self/task/' + t + '/stat', 'utf8');
  return [t, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
}));
const before = nice();
const first = lowerOtherThreads(7, new Set([Number(keptTid)]));
const second = lowerOtherThreads(7, new Set([Number(keptTid)]));
const self = readlinkSync('/proc/thread-self').split('/').pop();
console.log(JSON.stringify({ self, keptTid, before, after: nice(), first, second }));
await worker.terminate();
await kept.terminate();
`;

describe('lowerOtherThreads', () => {
  it.skipIf(!existsSync('/proc/thread-self'))('puts every other thread of the process (a worker, V8 helpers) below the calling one, once, but the ones it is told to keep', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { self: string; keptTid: string; before: Record<string, number>; after: Record<string, number>; first: number; second: number };
    expect(out.after[out.keptTid]).toBe(out.before[out.keptTid]);
    expect(out.after[out.keptTid]).toBeLessThan(7);
    const others = Object.keys(out.after).filter((t) => t !== out.self && t !== out.keptTid);
    // the worker's thread and V8's and libuv's helpers at least
    expect(others.length).toBeGreaterThan(2);
    expect(out.after[out.self]).toBe(out.before[out.self]);
    for (const t of others) expect(out.after[t], `thread ${t}`).toBeGreaterThanOrEqual(7);
    expect(out.first).toBe(others.filter((t) => (out.before[t] ?? 0) < 7).length);
    expect(out.second).toBe(0);
  });
});
