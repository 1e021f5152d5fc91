import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arena } from './cli.ts';

describe('arena train convnet -> arena backtest with the learned expert', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arena-train-'));
  const model = join(dir, 'm');

  it('trains walk-forward on the synthetic market, prunes, and writes model.json, weights.bin and card.json', async () => {
    const r = await arena(['train', 'convnet', '--synthetic', '--bars', '2200', '--assets', '3', '--epochs', '2', '--folds', '1', '--samples-per-epoch', '1024', '--selector-window', '300', '--sparsity', '0.4', '--name', 'tiny', '--out', model]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('WALK-FORWARD FOLDS');
    for (const f of ['model.json', 'weights.bin', 'card.json']) expect(existsSync(join(model, f))).toBe(true);
    const card = JSON.parse(readFileSync(join(model, 'card.json'), 'utf8'));
    expect(card.name).toBe('tiny');
    expect(card.folds).toHaveLength(1);
    expect(Math.abs(card.pruning.measuredSparsity - 0.4)).toBeLessThan(0.01);
    expect(card.cost.nonzeroParams).toBeLessThan(card.cost.params);
    expect(card.features.length).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it('a backtest configured with that model uses it; a missing model holds 0 with the reason', async () => {
    const cfg = join(dir, 'arena.config.json');
    writeFileSync(cfg, JSON.stringify({ experts: { learned: { model } } }));
    const r = await arena(['backtest', '--config', cfg, '--synthetic', '--bars', '1500', '--assets', '3', '--no-baselines', '--out', join(dir, 'bt')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/learned expert: tiny from/);
    writeFileSync(cfg, JSON.stringify({ experts: { learned: { model: join(dir, 'nope') } } }));
    const m = await arena(['backtest', '--config', cfg, '--synthetic', '--bars', '1500', '--assets', '3', '--no-baselines', '--out', join(dir, 'bt2')]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toMatch(/learned expert unavailable, holding 0: .*model\.json is missing/);
  }, 120_000);

  it('bad flags exit 2 naming the flag', async () => {
    const r = await arena(['train', 'convnet', '--synthetic', '--epochs', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--epochs/);
  });
});
