/** A terminal progress bar with ETA on stderr; quiet when stderr is not a terminal unless ARENA_PROGRESS=1. */

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

const WIDTH = 28;

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)
    .toString()
    .padStart(2, '0')}s`;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const enabled = stream.isTTY === true || process.env['ARENA_PROGRESS'] === '1';
  const start = performance.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total) {
      if (!enabled) return;
      const now = performance.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const elapsed = (now - start) / 1000;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Infinity;
      const fill = Math.round(frac * WIDTH);
      const bar = '█'.repeat(fill) + '░'.repeat(WIDTH - fill);
      const line = `${label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} elapsed ${fmtSeconds(elapsed)} eta ${fmtSeconds(eta)}`;
      stream.write(stream.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
      drawn = true;
    },
    done() {
      if (enabled && drawn && stream.isTTY) stream.write('\n');
    },
  };
}
