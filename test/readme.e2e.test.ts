/**
 * The README's commands, as a new user types them, in README order, in a fresh folder laid out like a clone
 * (links to the checkout's sources, node_modules and data/; its own models/, out/ and var/), with no ../shared
 * beside it and ARENA_DATA_DIR unset: each must exit 0. What the test adds to a line, and only that: servers bind
 * port 0 (a flag appended, the last value wins), daemons without --exit-at-end are stopped with SIGTERM once their
 * health check answers, and trainings and benchmarks get a flag that caps their size.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli.ts';

/** The runnable lines of every fenced block: `\`-continuations joined, `  # comments` dropped, `a && b` split. */
export function readmeCommands(markdown: string): string[] {
  const out: string[] = [];
  for (const block of markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)) {
    const logical = block[1]!.replace(/\\\n\s*/g, ' ').split('\n');
    for (const line of logical) {
      for (const part of line.replace(/\s{2,}#.*$/, '').split('&&')) {
        const cmd = part.trim().replace(/\s+/g, ' ');
        if (/^npx arena\b|^npm (start|run )/.test(cmd)) out.push(cmd);
      }
    }
  }
  return out;
}

/** What runs, and how: the README line with the test's additions. */
export function asTested(cmd: string): { run: string; daemon: boolean } {
  const daemon = (/\barena paper\b|^npm run paper\b/.test(cmd) && !/--exit-at-end/.test(cmd)) || /\barena dashboard\b/.test(cmd);
  const viaNpm = /^npm run /.test(cmd);
  const extra: string[] = [];
  if (/\barena paper\b|^npm run paper\b/.test(cmd)) extra.push(/--dashboard\b|^npm run paper\b/.test(cmd) ? '--dashboard 127.0.0.1:0' : '--port 127.0.0.1:0');
  if (/\barena dashboard\b/.test(cmd)) extra.push('--port 127.0.0.1:0');
  if (/\barena train convnet\b/.test(cmd)) extra.push('--epochs 1 --folds 2 --samples-per-epoch 256');
  // (and the committed convnet's outputs as they are: the nested chain of convnets is router.e2e's to test)
  if (/\barena train router\b/.test(cmd)) extra.push('--sft-epochs 1 --rl-epochs 1 --samples-per-epoch 256 --in-sample-learned');
  if (/\barena doctor\b.*--bench/.test(cmd)) extra.push('--seconds 3');
  if (/^npm run bench\b/.test(cmd)) extra.push('--quick');
  if (extra.length === 0) return { run: cmd, daemon };
  const sep = viaNpm && !/ -- /.test(cmd) ? ' --' : '';
  return { run: `${cmd}${sep} ${extra.join(' ')}`, daemon };
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const commands = [...new Set(readmeCommands(readme).filter((c) => !/^npm (ci|test)\b/.test(c)))];

/** A folder that looks like a fresh clone: the checkout's tracked top level linked in, models/ as its own folders. */
function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arena-readme-'));
  for (const entry of ['apps', 'packages', 'bench', 'data', 'docs', 'examples', 'node_modules', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'turbo.json', 'README.md']) {
    symlinkSync(join(ROOT, entry), join(dir, entry));
  }
  // models/<kind>/<name>: the committed models linked one by one, so that a training writes into the clone
  for (const kind of readdirSync(join(ROOT, 'models'))) {
    mkdirSync(join(dir, 'models', kind), { recursive: true });
    for (const name of readdirSync(join(ROOT, 'models', kind))) symlinkSync(join(ROOT, 'models', kind, name), join(dir, 'models', kind, name));
  }
  return dir;
}

const clone = freshClone();
const env: Record<string, string> = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'ARENA_DATA_DIR' && !k.startsWith('npm_'))) as Record<string, string>;
env['ARENA_PROGRESS'] = '0';
env['NO_COLOR'] = '1';
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) {
    if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) continue;
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // the group ended on its own meanwhile
    }
  }
  rmSync(clone, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a line in its own process group (npm and npx wrap the command in further processes). */
function start(line: string): { child: ChildProcess; done: Promise<Ran>; output: () => string } {
  const child = spawn('bash', ['-c', line], { cwd: clone, env, detached: true });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const done = new Promise<Ran>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, output })));
  return { child, done, output: () => output };
}

async function runToEnd(line: string, timeoutMs: number): Promise<Ran> {
  const p = start(line);
  const timer = setTimeout(() => process.kill(-p.child.pid!, 'SIGKILL'), timeoutMs);
  const r = await p.done;
  clearTimeout(timer);
  return r;
}

/**
 * Starts a daemon, waits for its address in the log and a health answer, checks its page, and sends SIGTERM to
 * the whole process group, as Ctrl-C or an orchestrator would: npm and npx then end by the signal themselves, so
 * the daemon's clean stop is read from its log.
 */
async function runDaemon(line: string, timeoutMs: number): Promise<Ran & { health: unknown }> {
  const p = start(line);
  const end = Date.now() + timeoutMs;
  let url: string | undefined;
  while (url === undefined) {
    url = /\bon (http:\/\/127\.0\.0\.1:\d+)/.exec(p.output())?.[1];
    if (p.child.exitCode !== null) throw new Error(`${line} exited ${p.child.exitCode} before serving:\n${p.output()}`);
    if (Date.now() > end) throw new Error(`${line}: no address within ${timeoutMs} ms:\n${p.output()}`);
    if (url === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  const dashboard = /\barena dashboard\b|--dashboard/.test(line) || /^npm run paper\b/.test(line);
  let health: unknown;
  while (health === undefined && Date.now() < end) {
    try {
      const r = await fetch(`${url}${dashboard && /\barena dashboard\b/.test(line) ? '/api/status' : '/healthz'}`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) health = await r.json();
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  if (dashboard) expect((await (await fetch(`${url}/`)).text())).toMatch(/<title>Arena dashboard<\/title>/);
  process.kill(-p.child.pid!, 'SIGTERM');
  const r = await p.done;
  return { ...r, health };
}

describe('README commands on a fresh folder without ../shared', () => {
  it('reads the command block and the fresh folder has no ../shared', () => {
    expect(commands.length).toBeGreaterThanOrEqual(15);
    expect(commands).toContain('npm start');
    expect(commands).toContain('npm run paper');
    expect(existsSync(join(clone, '..', 'shared'))).toBe(false);
    expect(existsSync(join(clone, '..', '..', 'shared', 'data'))).toBe(false);
  });

  for (const cmd of commands) {
    const { run, daemon } = asTested(cmd);
    it(`${run}`, async () => {
      if (daemon) {
        const r = await runDaemon(run, 120_000);
        expect(r.health, r.output).toBeDefined();
        expect(r.output).not.toMatch(/^error: /m);
        expect(r.code === 0 || r.signal === 'SIGTERM', r.output).toBe(true);
        expect(r.output).toMatch(/stopped after \d+ bars|dashboard stopped/);
      } else {
        const r = await runToEnd(run, 240_000);
        expect(r.output).not.toMatch(/^error: /m);
        expect(r.code, r.output.slice(-3000)).toBe(0);
      }
    }, 300_000);
  }
});
