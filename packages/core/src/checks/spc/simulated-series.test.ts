import { describe, expect, it } from 'vitest';
import { mulberry32, normalFrom, scenarioSeries, simulateDailyBuilds } from './simulated-series.js';

describe('simulated series', () => {
  it('mulberry32 is deterministic, seed-dependent and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(mulberry32(43)()).not.toBe(first[0]);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    // The reference value of mulberry32 for seed 42 (the widely published implementation).
    expect(first[0]).toBeCloseTo(0.6011037519, 9);
  });

  it('normalFrom gives mean 0 and standard deviation 1', () => {
    const normal = normalFrom(mulberry32(1));
    const xs = Array.from({ length: 20_000 }, () => normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });

  it('simulates 30 stable daily builds then the three broken ones', () => {
    const builds = simulateDailyBuilds({ seed: 9 });
    expect(builds.map((b) => b.broken)).toEqual([...Array(30).fill(null), 'row_count', 'null_rate', 'freshness_lag_hours']);
    expect(builds[0]).toMatchObject({ build: 1, at: '2024-01-01T06:00:00.000Z', runId: 'run-001' });
    expect(builds[32]?.at).toBe('2024-02-02T06:00:00.000Z');
    const stable = builds.slice(0, 30);
    expect(stable.every((b) => Math.abs(b.metrics.row_count - 100_000) < 5_000 && Number.isInteger(b.metrics.row_count))).toBe(true);
    expect(stable.every((b) => Math.abs(b.metrics.null_rate - 0.02) < 0.01)).toBe(true);
    expect(builds[30]?.metrics.row_count).toBeLessThan(65_000);
    expect(builds[31]?.metrics.null_rate).toBeGreaterThan(0.14);
    expect(builds[32]?.metrics.freshness_lag_hours).toBeGreaterThan(29);
    expect(scenarioSeries(builds, 'null_rate')[31]).toEqual({ at: builds[31]?.at, value: builds[31]?.metrics.null_rate, runId: 'run-032' });
  });

  it('draws the same stable values whatever the number of stable builds', () => {
    const short = simulateDailyBuilds({ seed: 4, stableBuilds: 10 });
    const long = simulateDailyBuilds({ seed: 4 });
    expect(short.slice(0, 10).map((b) => b.metrics)).toEqual(long.slice(0, 10).map((b) => b.metrics));
  });
});
