import { describe, expect, it } from 'vitest';
import { buildControlChart } from './control-chart.js';
import { WEEKDAY_NAMES, weekdayReader } from './day-of-week.js';
import { judgeNewestPoint } from './judge-newest-point.js';
import { mulberry32, normalFrom } from './simulated-series.js';
import { monitorSpcConfig, type SpcConfigInput } from './spc-config.js';
import type { SpcPoint } from './spc-types.js';

/** Daily row counts from Monday 2024-01-01: weekdays about 100,000, weekends 50% lower, 1% noise. */
function weeklyPattern(weeks: number, seed = 3): SpcPoint[] {
  const normal = normalFrom(mulberry32(seed));
  return Array.from({ length: weeks * 7 }, (_, i) => {
    const at = new Date(Date.UTC(2024, 0, 1 + i, 6));
    const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6;
    return { at: at.toISOString(), value: Math.round((weekend ? 50_000 : 100_000) * (1 + 0.01 * normal())) };
  });
}

const chartOf = (points: SpcPoint[], config: SpcConfigInput) => buildControlChart({ metric: 'row_count', points, config: monitorSpcConfig('volume', config) });

describe('day-of-week seasonality', () => {
  it('takes weekdays in the configured time zone', () => {
    const saturdayNightUtc = Date.parse('2024-01-06T23:30:00Z');
    expect(weekdayReader('UTC')(saturdayNightUtc)).toBe(6);
    expect(weekdayReader('Asia/Tokyo')(saturdayNightUtc)).toBe(0);
    expect(weekdayReader('America/Los_Angeles')(Date.parse('2024-01-07T05:00:00Z'))).toBe(6);
  });

  it('a weekly pattern alerts without seasonality', () => {
    const chart = chartOf(weeklyPattern(12), { seasonality: 'none' });
    expect(chart.violations.length).toBeGreaterThan(5);
  });

  it('the same pattern is quiet with seasonality, each weekday judged against its own baseline', () => {
    const chart = chartOf(weeklyPattern(12), { seasonality: 'day_of_week' });
    expect(chart.violations).toEqual([]);
    expect(chart.status).toBe('in_control');
    // 12 weeks: each weekday has 12 points, judged from the 9th on.
    expect(chart.points.filter((p) => p.phase !== 'learning')).toHaveLength(7 * 4);
    expect(chart.seasons?.map((s) => s.name)).toEqual([...WEEKDAY_NAMES]);
    const centre = (weekday: number) => chart.seasons?.[weekday]?.limits?.centre ?? 0;
    expect(centre(6) / centre(3)).toBeCloseTo(0.5, 1);
    expect(chart.seasons?.[6]?.limits?.baseline.points).toBe(12);
    // The top-level limits are those of the newest point's weekday (a Sunday).
    expect(chart.points.at(-1)?.weekday).toBe(0);
    expect(chart.centre).toBe(centre(0));
  });

  it('still catches a broken day: a Monday with 40% fewer rows', () => {
    const points = weeklyPattern(12);
    const monday = points.findIndex((p, i) => i > 70 && new Date(p.at).getUTCDay() === 1);
    points[monday] = { ...(points[monday] as SpcPoint), value: 60_000 };
    const chart = chartOf(points, { seasonality: 'day_of_week' });
    expect(chart.violations.map((v) => [v.rule, v.at])).toEqual([[1, points[monday]?.at]]);
  });

  it('learns each weekday separately: minPoints apply per weekday', () => {
    const points = weeklyPattern(8).slice(0, 7 * 8 - 6); // 8 Mondays, 7 of every other day
    const verdict = judgeNewestPoint({ metric: 'row_count', points, config: monitorSpcConfig('volume', { seasonality: 'day_of_week' }) });
    expect(verdict.status).toBe('learning');
    expect(verdict.message).toBe('row_count: learning, 8 of the 8 baseline points of Mondays needed before judging');
    const next = judgeNewestPoint({ metric: 'row_count', points: weeklyPattern(9).slice(0, 7 * 8 + 1), config: monitorSpcConfig('volume', { seasonality: 'day_of_week' }) });
    expect(next).toMatchObject({ status: 'in_control', phase: 'provisional' });
  });
});
