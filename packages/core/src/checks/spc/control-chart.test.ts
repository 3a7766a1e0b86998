import { describe, expect, it } from 'vitest';
import { isWeirError } from '../../errors/weir-error.js';
import { buildControlChart } from './control-chart.js';
import { judgeNewestPoint } from './judge-newest-point.js';
import { mulberry32, normalFrom } from './simulated-series.js';
import { defaultSpcConfig, type SpcConfigInput } from './spc-config.js';
import type { SpcPoint, SpcSeriesInput } from './spc-types.js';

/** One point a day from 2024-01-01 (a Monday), 06:00 UTC. */
const dayAt = (i: number) => new Date(Date.UTC(2024, 0, 1 + i, 6)).toISOString();
const daily = (values: number[], firstDay = 0): SpcPoint[] => values.map((value, i) => ({ at: dayAt(firstDay + i), value }));
const alternating = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 9 : 11));
const chartOf = (points: SpcPoint[], extra: Partial<SpcSeriesInput> = {}, config: SpcConfigInput = {}) =>
  buildControlChart({ metric: 'm', points, config: defaultSpcConfig({ relativeFloor: 0, ...config }), ...extra });

describe('buildControlChart', () => {
  it('is learning, with no limits and no alert, before minPoints points', () => {
    const chart = chartOf(daily([10, 11, 9, 10, 500, 10, 11]));
    expect(chart.status).toBe('learning');
    expect(chart.centre).toBeNull();
    expect(chart.baseline).toBeNull();
    expect(chart.violations).toEqual([]);
    expect(chart.points.every((p) => p.phase === 'learning' && p.zone === null && !p.anomalous)).toBe(true);
  });

  it('judges from the point after minPoints, against provisional limits that then freeze', () => {
    const chart = chartOf(daily(alternating(25)));
    expect(chart.points.slice(0, 8).every((p) => p.phase === 'learning')).toBe(true);
    expect(chart.points[8]).toMatchObject({ phase: 'provisional', centre: 10, inBaseline: true, zone: 'C' });
    expect(chart.points.slice(8, 20).every((p) => p.phase === 'provisional' && p.inBaseline)).toBe(true);
    expect(chart.points.slice(20).every((p) => p.phase === 'frozen' && !p.inBaseline)).toBe(true);
    expect(chart).toMatchObject({ status: 'in_control', centre: 10, movingRangeMean: 2, baseline: { from: dayAt(0), to: dayAt(19), points: 20, frozen: true } });
    expect(chart.upperLimit).toBeCloseTo(15.32, 12);
    expect(chart.lowerLimit).toBeCloseTo(4.68, 12);
    expect(chart.sigma).toBeCloseTo(2 / 1.128, 12);
    expect(chart.points[1]?.movingRange).toBe(2);
    expect(chart.points[0]?.movingRange).toBeNull();
  });

  it('reports each violation with the points involved and a sentence', () => {
    const chart = chartOf(daily([...alternating(20), 10, 14, 9, 14, 10, 10, 20]));
    expect(chart.violations).toHaveLength(2);
    expect(chart.violations[0]).toMatchObject({ rule: 2, at: dayAt(23), value: 14, side: 'above', points: [dayAt(21), dayAt(23)] });
    expect(chart.violations[0]?.message).toBe('m: 2 of the last 3 values are more than 2σ above the centre 10 (above 13.5461), the newest 14');
    expect(chart.violations[1]).toMatchObject({ rule: 1, at: dayAt(26), points: [dayAt(26)] });
    expect(chart.violations[1]?.message).toBe('m = 20 is above the upper control limit 15.32 (centre 10; 100% above it)');
    expect(chart.points[23]).toMatchObject({ anomalous: true, violations: [2], zone: 'A' });
    expect(chart.points[26]).toMatchObject({ anomalous: true, violations: [1], zone: 'beyond' });
    expect(chart.status).toBe('out_of_control');
  });

  it('keeps the frozen limits under a slow drift; a rebaseline learns the new level', () => {
    const normal = normalFrom(mulberry32(11));
    const stable = Array.from({ length: 20 }, () => 100 + normal());
    const drift = Array.from({ length: 30 }, (_, i) => 100 + 0.4 * (i + 1) + normal());
    const frozenChart = chartOf(daily(stable));
    const drifted = chartOf(daily([...stable, ...drift]));
    expect(drifted.centre).toBe(frozenChart.centre);
    expect(drifted.upperLimit).toBe(frozenChart.upperLimit);
    expect(drifted.baseline).toEqual({ from: dayAt(0), to: dayAt(19), points: 20, frozen: true });
    expect(drifted.status).toBe('out_of_control');
    expect(drifted.violations.some((v) => v.rule === 1)).toBe(true);

    const after = Array.from({ length: 30 }, () => 115 + normal());
    const rebaselined = chartOf(daily([...stable, ...drift, ...after]), { rebaselines: [dayAt(50)] });
    expect(rebaselined.points[50]).toMatchObject({ period: 1, phase: 'learning', movingRange: null });
    expect(rebaselined.baseline).toMatchObject({ from: dayAt(50), points: 20, frozen: true });
    const newBaseline = rebaselined.points.filter((p) => p.inBaseline && p.period === 1).map((p) => p.value);
    expect(newBaseline).toHaveLength(20);
    expect(rebaselined.centre).toBeCloseTo(newBaseline.reduce((a, b) => a + b) / 20, 9);
    expect(rebaselined.centre).toBeGreaterThan(114);
    // Judgements before the marker are unchanged by it.
    expect(rebaselined.points.slice(0, 50)).toEqual(drifted.points);
  });

  it('is learning with no limits right after a rebaseline with no points yet', () => {
    const chart = chartOf(daily(alternating(25)), { rebaselines: [dayAt(30)] });
    expect(chart).toMatchObject({ status: 'learning', centre: null, baseline: null });
    expect(chart.points.at(-1)?.phase).toBe('frozen');
  });

  it('keeps a point judged anomalous out of the baseline it would have joined', () => {
    const chart = chartOf(daily([...alternating(10), 30, ...alternating(15)]));
    expect(chart.points[10]).toMatchObject({ value: 30, phase: 'provisional', anomalous: true, inBaseline: false, violations: [1] });
    // The baseline fills with the next normal points instead: 10 before the spike, 10 after.
    expect(chart.baseline).toEqual({ from: dayAt(0), to: dayAt(20), points: 20, frozen: true });
    expect(chart.centre).toBe(10);
    expect(chart.points[20]?.phase).toBe('provisional');
    expect(chart.points[21]?.phase).toBe('frozen');
  });

  it('keeps recorded anomalies out of a baseline rebuilt after a rebaseline', () => {
    const values = [...alternating(20), ...alternating(4), 40, ...alternating(19)];
    const spike = dayAt(24);
    const marker = dayAt(20);
    const withRecord = chartOf(daily(values), { rebaselines: [marker], anomalies: [spike] });
    expect(withRecord.points[24]).toMatchObject({ value: 40, phase: 'learning', anomalous: true, inBaseline: false, violations: [] });
    expect(withRecord.centre).toBe(10);
    expect(withRecord.baseline?.points).toBe(20);
    // Without the record the spike is just a learning point of the new period and drags the limits.
    const withoutRecord = chartOf(daily(values), { rebaselines: [marker] });
    expect(withoutRecord.points[24]?.inBaseline).toBe(true);
    expect(withoutRecord.centre).toBeGreaterThan(11);
  });

  it('sorts points given out of order', () => {
    const points = daily(alternating(12));
    const shuffled = [points[5], points[0], ...points.slice(1, 5), ...points.slice(6)] as SpcPoint[];
    expect(chartOf(shuffled)).toEqual(chartOf(points));
  });

  it('is plain JSON, also for a constant baseline where σ̂ is zero', () => {
    const chart = chartOf(daily([...Array(20).fill(5), 5, 6]));
    expect(chart.points[21]).toMatchObject({ sigmas: null, zone: 'beyond', violations: [1] });
    expect(chart.violations[0]?.message).toBe('m = 6 is above the constant baseline 5 (all 20 baseline points were equal; 20% above it)');
    expect(JSON.parse(JSON.stringify(chart))).toEqual(chart);
  });

  it('carries run ids through', () => {
    const chart = chartOf([{ at: dayAt(0), value: 1, runId: 'run-1' }, { at: dayAt(1), value: 2 }]);
    expect(chart.points[0]?.runId).toBe('run-1');
    expect(chart.points[1]).not.toHaveProperty('runId');
  });

  it('refuses a point without a finite value or with a bad time', () => {
    const bad = (points: SpcPoint[]) => {
      try {
        chartOf(points);
      } catch (error) {
        return isWeirError(error) ? `${error.code}: ${error.message}` : 'not a WeirError';
      }
      return 'no error';
    };
    expect(bad([{ at: dayAt(0), value: Number.NaN }])).toMatch(/^INTERNAL: spc: m at .* has no finite value/);
    expect(bad([{ at: 'yesterday', value: 1 }])).toMatch(/^INTERNAL: spc: m point has an invalid time "yesterday"/);
  });
});

describe('judgeNewestPoint agrees with the chart', () => {
  it('on every prefix of a series with provisional anomalies, a drift, a rebaseline and recorded anomalies', () => {
    const normal = normalFrom(mulberry32(5));
    const values = [
      ...Array.from({ length: 12 }, () => 50 + normal()),
      70,
      ...Array.from({ length: 20 }, () => 50 + normal()),
      ...Array.from({ length: 15 }, (_, i) => 52 + i * 0.3 + normal()),
      ...Array.from({ length: 30 }, () => 60 + normal()),
    ];
    const input = { metric: 'm', anomalies: [dayAt(55)], config: defaultSpcConfig({ relativeFloor: 0 }) };
    const full = buildControlChart({ ...input, rebaselines: [dayAt(50)], points: daily(values) });
    expect(full.violations.length).toBeGreaterThan(3); // the series must exercise the rules
    for (let n = 1; n <= values.length; n++) {
      const prefix = daily(values.slice(0, n));
      // A build only ever sees the rebaselines made before it.
      const rebaselines = n > 50 ? [dayAt(50)] : [];
      const chart = buildControlChart({ ...input, rebaselines, points: prefix });
      const verdict = judgeNewestPoint({ ...input, rebaselines, points: prefix });
      const point = full.points[n - 1];
      expect(verdict.rules).toEqual(point?.violations);
      expect(verdict.violations).toEqual(full.violations.filter((v) => v.at === point?.at));
      expect(verdict.phase).toBe(point?.phase);
      expect(verdict.limits?.centre ?? null).toBe(point?.centre);
      expect(verdict.status).toBe(chart.status);
      expect(chart.points).toEqual(full.points.slice(0, n));
    }
  });
});
