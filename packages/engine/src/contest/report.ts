/**
 * `arena contest report`: the leaderboard over time from the ledger, as a console table (the latest window's
 * leaders and adoption at regular points in time), contest.json, and contest.html with plots: predicted against
 * realised Sharpe of the most-adopted agents, and the adopted weights over time.
 */
import { deterministicJson, writeReportFiles } from '@arena/core';
import { boxTable } from '../report/console.ts';
import { stackedChart } from '../report/stacked.ts';
import { PALETTE, escapeXml, lineChart } from '../report/svg.ts';
import type { Leaderboard } from './leaderboard.ts';

const f2 = (v: number | null) => (v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(2));
const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Agents by windows adopted (then by mean predicted), the most prominent first. */
export function prominentAgents(lb: Leaderboard, k: number): number[] {
  const adopted = new Map<number, number>();
  const predicted = new Map<number, number>();
  for (const f of lb.frames) {
    for (const e of f.entries) {
      if (e.adopted) adopted.set(e.agent, (adopted.get(e.agent) ?? 0) + 1);
      if (e.predicted !== null) predicted.set(e.agent, (predicted.get(e.agent) ?? 0) + e.predicted);
    }
  }
  return lb.agents
    .map((a) => a.agent)
    .sort((a, b) => (adopted.get(b) ?? 0) - (adopted.get(a) ?? 0) || (predicted.get(b) ?? -Infinity) - (predicted.get(a) ?? -Infinity) || a - b)
    .slice(0, k);
}

/** The run scored its agents relative to the benchmark agent (contest.benchmark 'equal'; runs before it: cash). */
function relative(lb: Leaderboard): boolean {
  return (lb.run.config as { contest?: { benchmark?: string } } | null)?.contest?.benchmark === 'equal';
}

/** The console report: the latest window's leaderboard, adoption over time, and how often the track record withheld a choice. */
export function contestTables(lb: Leaderboard, top = 10, points = 12): string {
  const note = withheldNote(lb);
  return note === undefined ? contestBoxes(lb, top, points) : `${contestBoxes(lb, top, points)}\n${note}`;
}

/** How often the track record withheld the score model's choice (undefined for runs without a record). */
function withheldNote(lb: Leaderboard): string | undefined {
  if (!lb.frames.some((f) => f.recordT !== null)) return undefined;
  return `The score model's choice was withheld by its track record (its past choices, switching between them paid, had not beaten the fallback) in ${lb.frames.filter((f) => f.withheld).length} of ${lb.frames.length} windows.`;
}

/** The two tables: the latest window's leaderboard and adoption at `points` times. */
function contestBoxes(lb: Leaderboard, top: number, points: number): string {
  const last = lb.frames[lb.frames.length - 1];
  const parts: string[] = [];
  if (last) {
    parts.push(
      boxTable(
        `LEADERBOARD at ${day(last.ts)} (window ${last.index}; Sharpe annualised${relative(lb) ? ', of the reward minus the benchmark a00\'s' : ''}; ${last.cash ? 'in cash' : `${last.entries.filter((e) => e.adopted).length} adopted`})`,
        ['Agent', 'Realised (window)', 'Predicted (next)', 'Adopted', 'Weight'],
        last.entries.slice(0, top).map((e) => [e.name, f2(e.realized), f2(e.predicted), e.adopted ? 'yes' : '', e.adopted ? `${(e.weight * 100).toFixed(1)}%` : '']),
      ),
    );
  }
  const step = Math.max(1, Math.floor(lb.frames.length / points));
  const rows = lb.frames
    .filter((_, k) => k % step === 0 || k === lb.frames.length - 1)
    .map((f) => {
      const adopted = f.entries.filter((e) => e.adopted);
      const best = f.entries[0];
      const held = adopted.length === 0 ? 'cash' : adopted.map((e) => `${e.name.split(' ')[0]} ${(e.weight * 100).toFixed(0)}%`).join(', ');
      return [day(f.ts), String(f.index), f.ready ? String(f.pairs) : `${f.pairs} (warming up)`, f.withheld ? `${held} (choice withheld)` : held, best ? `${best.name.split(' ')[0]} ${f2(best.predicted)}` : '', f.recordT === null ? '' : f2(f.recordT)];
    });
  parts.push(boxTable('ADOPTION OVER TIME', ['Window end', '#', 'Model pairs', 'Adopted (weight)', 'Best predicted', 'Record t'], rows));
  return parts.join('\n');
}

export function contestJson(lb: Leaderboard): string {
  return deterministicJson(
    {
      format: 'arena-contest',
      version: 1,
      run: { id: lb.run.id, kind: lb.run.kind, source: lb.run.source, symbols: lb.run.symbols, timeframe: lb.run.timeframe },
      agents: lb.agents,
      counts: lb.counts,
      frames: lb.frames.map((f) => ({ ts: new Date(f.ts).toISOString(), index: f.index, ready: f.ready, cash: f.cash, recordT: f.recordT, withheld: f.withheld, adopted: f.entries.filter((e) => e.adopted).map((e) => ({ agent: e.agent, weight: e.weight })), best: f.entries.slice(0, 5).map((e) => ({ agent: e.agent, predicted: e.predicted, realized: e.realized })) })),
    },
    6,
  );
}

export function contestHtml(lb: Leaderboard): string {
  const top = prominentAgents(lb, 5);
  const name = (i: number) => lb.agents[i]?.name ?? String(i);
  const x = lb.frames.map((f) => f.ts);
  const series = (agent: number, key: 'realized' | 'predicted', smooth: number) => {
    const raw = lb.frames.map((f) => f.entries.find((e) => e.agent === agent)?.[key] ?? NaN);
    // the realised window Sharpe is noisy: a trailing mean over `smooth` windows
    return raw.map((_, k) => {
      const w = raw.slice(Math.max(0, k - smooth + 1), k + 1).filter(Number.isFinite);
      return w.length > 0 ? w.reduce((s, v) => s + v, 0) / w.length : NaN;
    });
  };
  const pred = lineChart({ title: 'Predicted Sharpe (annualised) of the most-adopted agents', series: top.map((a, k) => ({ name: name(a), x, y: series(a, 'predicted', 1), color: PALETTE[k % PALETTE.length]! })), height: 260 });
  const real = lineChart({ title: 'Realised Sharpe (annualised, trailing mean of 10 windows)', series: top.map((a, k) => ({ name: name(a), x, y: series(a, 'realized', 10), color: PALETTE[k % PALETTE.length]! })), height: 260 });
  const topSet = new Set(top);
  const rows = lb.frames.map((f) => {
    const w = top.map((a) => f.entries.find((e) => e.agent === a && e.adopted)?.weight ?? 0);
    const other = f.entries.filter((e) => e.adopted && !topSet.has(e.agent)).reduce((s, e) => s + e.weight, 0);
    return [...w, other, f.cash ? 1 : 0];
  });
  const weights = stackedChart({ title: 'Adopted weights at each window end', x, rows, bands: [...top.map(name), 'other agents', 'cash'], colors: [...PALETTE.slice(0, top.length), '#b7bdc8', '#eceef2'], height: 200 });
  // the tables keep their columns (pre, scrolled sideways when wide); the note is prose and wraps
  const table = escapeXml(contestBoxes(lb, 10, 12));
  const note = withheldNote(lb);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Arena contest</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:24px auto;color:#1d2330}pre{font-size:12px;background:#f6f7f9;padding:8px;overflow-x:auto}svg.chart{max-width:100%;height:auto}svg .title{font-weight:600;font-size:13px}svg .tick,svg .legend{font-size:11px;fill:#5b6475}svg .grid{stroke:#eceef2}svg .axis{stroke:#9aa3b2}</style></head><body>
<h1>Arena contest: run ${lb.run.id}</h1>
<p>${escapeXml(lb.run.source)} · ${escapeXml(lb.run.symbols.join(', '))} · ${escapeXml(lb.run.timeframe)} · ${lb.agents.length} agents · ${lb.frames.length} windows · ${lb.counts.proposals} proposals and ${lb.counts.outcomes} outcomes in the ledger</p>
${weights}
${pred}
${real}
<pre>${table}</pre>
${note === undefined ? '' : `<p>${escapeXml(note)}</p>\n`}</body></html>
`;
}

export function writeContestReport(outDir: string, lb: Leaderboard): { json: string; html: string } {
  const paths = writeReportFiles(outDir, { 'contest.json': contestJson(lb), 'contest.html': contestHtml(lb) });
  return { json: paths['contest.json'], html: paths['contest.html'] };
}
