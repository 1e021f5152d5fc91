import { describe, expect, it } from 'vitest';
import { arena } from './cli.ts';

describe('arena doctor', () => {
  it('names every backend, marks the chosen one and says why', () => {
    const r = arena(['doctor']);
    expect(r.code).toBe(0);
    for (const name of ['tensorflow', 'webgpu', 'wasm', 'cpu']) expect(r.stdout).toMatch(new RegExp(`^  ${name} +(yes|no) `, 'm'));
    expect(r.stdout.match(/<- chosen/g)?.length).toBe(1);
    expect(r.stdout).toMatch(/^chosen: (tensorflow|webgpu|wasm|cpu) \((auto|requested|fallback)/m);
    expect(r.stdout).toMatch(/^adapter: /m);
  });

  it('honours ARENA_BACKEND=cpu', () => {
    const r = arena(['doctor'], undefined, { ARENA_BACKEND: 'cpu' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^chosen: cpu \(requested\)/m);
  });

  it('runs the kernel benchmark with --bench', () => {
    const r = arena(['doctor', '--bench', '--seconds', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/RollingMean +cpu +8x1000 +[\d.]+ M/);
  });
});
