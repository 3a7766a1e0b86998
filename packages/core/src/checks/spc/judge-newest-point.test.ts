import { describe, expect, it } from 'vitest';
import { isWeirError } from '../../errors/weir-error.js';
import { judgeNewestPoint } from './judge-newest-point.js';
import { prepareSeries } from './prepare-series.js';
import { replaySeries } from './replay-series.js';
import { defaultSpcConfig, type SpcConfigInput } from './spc-config.js';
import type { SpcPoint } from './spc-types.js';

const dayAt = (i: number) => new Date(Date.UTC(2024, 0, 1 + i, 6)).toISOString();
const daily = (values: number[]): SpcPoint[] => values.map((value, i) => ({ at: dayAt(i), value, runId: `run-${i}` }));
const alternating = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 9 : 11));
const judge = (values: number[], config: SpcConfigInput = {}, anomalies: string[] = []) =>
  judgeNewestPoint({ metric: 'rows', points: daily(values), anomalies, config: defaultSpcConfig({ relativeFloor: 0, ...config }) });

describe('judgeNewestPoint', () => {
  it('says how many points are still needed while learning', () => {
    const verdict = judge([10, 11, 12]);
    expect(verdict).toMatchObject({ status: 'learning', phase: 'learning', rules: [], violations: [], limits: null, zone: null, runId: 'run-2' });
    expect(verdict.message).toBe('rows: learning, 3 of the 8 baseline points needed before judging');
  });

  it('counts only baseline points toward learning: a recorded anomaly does not count', () => {
    expect(judge([10, 11, 12, 50], {}, [dayAt(3)]).message).toBe('rows: learning, 3 of the 8 baseline points needed before judging');
  });

  it('says which limits an in-control point was judged against', () => {
    const verdict = judge([...alternating(30), 10.5]);
    expect(verdict).toMatchObject({ status: 'in_control', phase: 'frozen', rules: [], zone: 'C' });
    expect(verdict.message).toBe('rows = 10.5 is in control (centre 10, limits 4.68 to 15.32, frozen from 20 points)');
  });

  it('names every rule an out-of-control point breaks', () => {
    const verdict = judge([...alternating(30), 14, 16]);
    expect(verdict).toMatchObject({ status: 'out_of_control', rules: [1, 2], zone: 'beyond' });
    expect(verdict.violations.map((v) => v.points)).toEqual([[dayAt(31)], [dayAt(30), dayAt(31)]]);
    expect(verdict.message).toBe(
      'rule 1: rows = 16 is above the upper control limit 15.32 (centre 10; 60% above it); ' +
        'rule 2: rows: 2 of the last 3 values are more than 2σ above the centre 10 (above 13.5461), the newest 16',
    );
  });

  it('uses the run rules across frozen points it did not judge itself', () => {
    // Seven points at 10.5 after the freeze, then the eighth: rule 4 needs all eight places.
    const verdict = judge([...alternating(40), ...Array(8).fill(10.5)]);
    expect(verdict.rules).toEqual([4]);
    expect(verdict.violations[0]?.points).toHaveLength(8);
  });

  it('does not judge the frozen history: only the newest point of a long series gets rules applied', () => {
    // 500 frozen points far outside the limits: every one would break rule 1 if judged.
    const config = defaultSpcConfig({ relativeFloor: 0 });
    const { points } = prepareSeries({ metric: 'rows', points: daily([...alternating(20), ...Array(500).fill(40)]), config });
    const replayed = replaySeries('rows', points, config, 'newest').points;
    expect(replayed.filter((p) => p.violations.length > 0).map((p) => p.point.at)).toEqual([points.at(-1)?.at]);
    expect(replaySeries('rows', points, config, 'all').points.filter((p) => p.violations.length > 0)).toHaveLength(500);
  });

  it('refuses an empty series', () => {
    try {
      judge([]);
      expect.unreachable();
    } catch (error) {
      expect(isWeirError(error) && error.code).toBe('INTERNAL');
    }
  });
});
