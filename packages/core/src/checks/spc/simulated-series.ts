/**
 * Deterministic simulated metric histories, for tests of SPC at every level (these pure functions,
 * the `spc` check, the end-to-end scenario of issue #3): a seeded PRNG and the "30 stable daily
 * builds, then three broken ones" scenario. Same seed, same numbers, on every machine.
 */
import type { SpcMonitorKind } from './spc-config.js';
import type { SpcPoint } from './spc-types.js';

/**
 * mulberry32: a tiny, fast 32-bit PRNG with good enough statistics for simulations. Returns a
 * function giving numbers in [0, 1).
 *
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // the same first number for seed 42, always
 * ```
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal numbers from a uniform source (Box-Muller transform).
 *
 * @example
 * ```ts
 * const normal = normalFrom(mulberry32(7));
 * const rows = 100_000 + 1_000 * normal();
 * ```
 */
export function normalFrom(random: () => number): () => number {
  return () => {
    // 1 - random() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    return radius * Math.cos(2 * Math.PI * random());
  };
}

/** The metrics of the scenario. */
export type ScenarioMetric = 'row_count' | 'null_rate' | 'freshness_lag_hours';

/** How a scenario metric behaves: normal around `mean` with standard deviation `sd`. */
export interface ScenarioMetricSpec {
  metric: ScenarioMetric;
  /** The built-in monitor that watches it. */
  kind: SpcMonitorKind;
  mean: number;
  sd: number;
  /** The build (counted from the first stable one) after `stableBuilds` that breaks it. */
  brokenAfterStable: number;
  /** The broken value, from the stable value that would have been measured. */
  broken: (stable: number) => number;
  describe: string;
}

/**
 * The three metrics, each with a stable level (the `±` of issue #3 read as one standard
 * deviation, the harsher reading) and the build that breaks it.
 */
export const SCENARIO_METRICS: readonly ScenarioMetricSpec[] = [
  { metric: 'row_count', kind: 'volume', mean: 100_000, sd: 1_000, brokenAfterStable: 1, broken: (v) => Math.round(v * 0.6), describe: '40% fewer rows' },
  { metric: 'null_rate', kind: 'rate', mean: 0.02, sd: 0.002, brokenAfterStable: 2, broken: (v) => v - 0.02 + 0.15, describe: 'null rate jumps from 0.02 to 0.15' },
  { metric: 'freshness_lag_hours', kind: 'freshness', mean: 1, sd: 0.2, brokenAfterStable: 3, broken: (v) => v - 1 + 30, describe: 'stale data: 30 hours behind' },
];

/** One simulated build and what it measured. */
export interface SimulatedBuild {
  /** 1-based build number. */
  build: number;
  at: string;
  runId: string;
  metrics: Record<ScenarioMetric, number>;
  /** The metric this build broke on purpose, if any. */
  broken: ScenarioMetric | null;
}

/** Options of {@link simulateDailyBuilds}. */
export interface SimulationOptions {
  seed: number;
  /** Stable builds before the three broken ones; 30 in issue #3. */
  stableBuilds?: number;
  /** Time of the first build; one build a day after it. */
  start?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The scenario of issue #3: `stableBuilds` daily builds with stable metrics, then one with 40%
 * fewer rows, one with a null-rate jump, one with stale data. Every build draws every metric in
 * the same order, so the stable values do not depend on which build is broken.
 *
 * @example
 * ```ts
 * const builds = simulateDailyBuilds({ seed: 1 });     // 33 builds
 * builds[30].broken;                                   // 'row_count'
 * const rows = scenarioSeries(builds, 'row_count');    // SpcPoint[] for the chart
 * ```
 */
export function simulateDailyBuilds(options: SimulationOptions): SimulatedBuild[] {
  const stableBuilds = options.stableBuilds ?? 30;
  const start = Date.parse(options.start ?? '2024-01-01T06:00:00Z');
  const normal = normalFrom(mulberry32(options.seed));
  const builds: SimulatedBuild[] = [];
  for (let build = 1; build <= stableBuilds + SCENARIO_METRICS.length; build++) {
    const metrics = {} as Record<ScenarioMetric, number>;
    let broken: ScenarioMetric | null = null;
    for (const spec of SCENARIO_METRICS) {
      const stable = clampFor(spec.metric, spec.mean + spec.sd * normal());
      const breaks = build === stableBuilds + spec.brokenAfterStable;
      metrics[spec.metric] = breaks ? clampFor(spec.metric, spec.broken(stable)) : stable;
      if (breaks) broken = spec.metric;
    }
    builds.push({ build, at: new Date(start + (build - 1) * DAY_MS).toISOString(), runId: `run-${String(build).padStart(3, '0')}`, metrics, broken });
  }
  return builds;
}

/**
 * One metric of simulated builds as SPC points.
 *
 * @example
 * ```ts
 * const points = scenarioSeries(simulateDailyBuilds({ seed: 3 }), 'null_rate');
 * ```
 */
export function scenarioSeries(builds: readonly SimulatedBuild[], metric: ScenarioMetric): SpcPoint[] {
  return builds.map((b) => ({ at: b.at, value: b.metrics[metric], runId: b.runId }));
}

/** Keeps values possible: whole non-negative row counts, rates in [0, 1], non-negative lags. */
function clampFor(metric: ScenarioMetric, value: number): number {
  if (metric === 'row_count') return Math.max(0, Math.round(value));
  if (metric === 'null_rate') return Math.min(1, Math.max(0, value));
  return Math.max(0, value);
}
