/**
 * The acceptance scenario of issue #3 at the level of the SPC math: 30 stable daily builds, then
 * one with 40% fewer rows, one with a null-rate jump, one with stale data. Each metric is watched
 * by its built-in monitor with default settings.
 */
import { describe, expect, it } from 'vitest';
import { buildControlChart } from './control-chart.js';
import { judgeNewestPoint } from './judge-newest-point.js';
import { SCENARIO_METRICS, scenarioSeries, simulateDailyBuilds } from './simulated-series.js';
import { defaultSpcConfig, monitorSpcConfig } from './spc-config.js';
import type { SpcPoint } from './spc-types.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe('SPC scenario: 30 stable builds, then three broken ones', () => {
  it.each(SEEDS)('seed %i: each build flags exactly the metric it broke, and nothing before', (seed) => {
    const builds = simulateDailyBuilds({ seed });
    expect(builds).toHaveLength(33);
    const history = new Map<string, SpcPoint[]>();
    const recorded = new Map<string, string[]>();
    for (const build of builds) {
      const flagged: string[] = [];
      for (const spec of SCENARIO_METRICS) {
        // What a build does: append the new measurement, judge it, record it if anomalous.
        const points = [...(history.get(spec.metric) ?? []), { at: build.at, value: build.metrics[spec.metric], runId: build.runId }];
        history.set(spec.metric, points);
        const anomalies = recorded.get(spec.metric) ?? [];
        const verdict = judgeNewestPoint({ metric: spec.metric, points, anomalies, config: monitorSpcConfig(spec.kind) });
        if (build.build > 8) expect(verdict.status).not.toBe('learning');
        if (verdict.status === 'out_of_control') {
          flagged.push(spec.metric);
          recorded.set(spec.metric, [...anomalies, build.at]);
        }
      }
      expect({ build: build.build, flagged }).toEqual({ build: build.build, flagged: build.broken ? [build.broken] : [] });
    }
  });

  it.each(SEEDS)('seed %i: the charts show the same', (seed) => {
    const builds = simulateDailyBuilds({ seed });
    for (const spec of SCENARIO_METRICS) {
      const chart = buildControlChart({ metric: spec.metric, points: scenarioSeries(builds, spec.metric), config: monitorSpcConfig(spec.kind) });
      const brokenAt = builds.find((b) => b.broken === spec.metric)?.at;
      expect(chart.violations.map((v) => v.at)).toEqual([brokenAt]);
      expect(chart.violations[0]?.rule).toBe(1);
      expect(chart.baseline).toMatchObject({ from: builds[0]?.at, to: builds[19]?.at, points: 20, frozen: true });
    }
  });

  it('names the metric, the value and the limit in the alert', () => {
    const builds = simulateDailyBuilds({ seed: 1 });
    const chart = buildControlChart({ metric: 'row_count', points: scenarioSeries(builds, 'row_count'), config: monitorSpcConfig('volume') });
    expect(chart.violations[0]?.message).toMatch(/^row_count = \d+ is below the lower control limit \d+(\.\d+)? \(centre \d+(\.\d+)?; 4\d% below it\)$/);
  });

  it('needs its floors: with no floors, the same stable builds raise false alarms on some seeds', () => {
    // Why the monitors have floors (README, "Defaults and false alarms"): limits estimated from
    // 8 to 20 points plus four run rules alarm on about a third of stable 30-build series.
    const noisy = SEEDS.filter((seed) => {
      const builds = simulateDailyBuilds({ seed }).slice(0, 30);
      return SCENARIO_METRICS.some((spec) =>
        buildControlChart({ metric: spec.metric, points: scenarioSeries(builds, spec.metric), config: defaultSpcConfig({ relativeFloor: 0 }) }).violations.length > 0,
      );
    });
    expect(noisy.length).toBeGreaterThan(SEEDS.length / 4);
  });
});
