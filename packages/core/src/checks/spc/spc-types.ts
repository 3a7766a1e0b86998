/**
 * The input and output shapes of statistical process control. The output is what the UI draws and
 * what `weir spc show --json` prints, so every field is plain JSON: no `Infinity`, no `Date`,
 * `null` where a number does not exist yet.
 */
import type { SpcConfig, SpcRule } from './spc-config.js';

/** One measurement of a metric, e.g. the row count of one build. */
export interface SpcPoint {
  /** When it was measured: an ISO 8601 time. */
  at: string;
  value: number;
  /** The run that measured it, carried through to the output for linking. */
  runId?: string;
}

/** Everything the control chart of one metric is computed from. */
export interface SpcSeriesInput {
  /** The metric's name, used in messages: `row_count`, `null_rate(email)`. */
  metric: string;
  /** All measurements. Expected in time order; sorted (stably) when they are not. */
  points: readonly SpcPoint[];
  /**
   * Times of deliberate rebaselines (`weir spc rebaseline`). A point at or after a marker belongs
   * to the new baseline period, whose limits are learned again from its own points.
   */
  rebaselines?: readonly string[];
  /**
   * Times of points judged anomalous earlier (as recorded by earlier builds). They are kept out of
   * every baseline they would otherwise join, even if the current rules would not flag them.
   */
  anomalies?: readonly string[];
  config: SpcConfig;
}

/**
 * `learning`: not enough points to judge (never an alert). `in_control`: the newest point breaks
 * no rule. `out_of_control`: the newest point breaks at least one rule.
 */
export type SpcStatus = 'learning' | 'in_control' | 'out_of_control';

/**
 * The state of the limits a point was judged against. `learning`: none yet (fewer than
 * `minPoints`); `provisional`: computed from the points so far, still growing; `frozen`: the
 * baseline window is full and the limits no longer move.
 */
export type SpcPhase = 'learning' | 'provisional' | 'frozen';

/**
 * Where a point lies, by its distance from the centre: `C` within 1σ, `B` within 2σ, `A` within
 * the control limits (about 3σ), `beyond` outside them.
 */
export type SpcZone = 'C' | 'B' | 'A' | 'beyond';

/** Which side of the centre line a point is on. */
export type SpcSide = 'above' | 'below' | 'on';

/** The baseline window limits were computed from. */
export interface SpcBaseline {
  /** Time of the first and the last baseline point. */
  from: string;
  to: string;
  /** How many points the limits were computed from (anomalous points are not counted). */
  points: number;
  /** True once the window is full: the limits no longer move until a rebaseline. */
  frozen: boolean;
}

/** Individuals (XmR) control limits. */
export interface SpcLimits {
  centre: number;
  upperLimit: number;
  lowerLimit: number;
  /** σ̂ = mean moving range / 1.128. Zero when the baseline never varied. */
  sigma: number;
  movingRangeMean: number;
  baseline: SpcBaseline;
}

/** One point of the chart, with the judgement it received when it was the newest point. */
export interface SpcChartPoint {
  at: string;
  value: number;
  runId?: string;
  /** |value - previous value| within the same comparison series (same baseline period and, with seasonality, weekday); null for the first. */
  movingRange: number | null;
  /** 0 before the first rebaseline, 1 after it, ... */
  period: number;
  /** Weekday 0 (Sunday) to 6 with day-of-week seasonality, otherwise null. */
  weekday: number | null;
  phase: SpcPhase;
  /** The limits this point was judged against; null while learning. */
  centre: number | null;
  upperLimit: number | null;
  lowerLimit: number | null;
  /** Signed distance from the centre in σ̂; null while learning or when σ̂ is zero. */
  sigmas: number | null;
  zone: SpcZone | null;
  side: SpcSide | null;
  /** True when the point is part of the baseline its limits come from. */
  inBaseline: boolean;
  /** True when it broke a rule, or was recorded as anomalous earlier. */
  anomalous: boolean;
  /** The rules it broke (empty when none). */
  violations: SpcRule[];
}

/** One broken rule. */
export interface SpcViolation {
  rule: SpcRule;
  /** The point that completed the pattern (the newest of `points`). */
  at: string;
  value: number;
  side: 'above' | 'below';
  /** Times of every point of the pattern, oldest first. */
  points: string[];
  /** A sentence for people, naming the metric, the value and the limit. */
  message: string;
}

/** The limits of one weekday, with day-of-week seasonality. */
export interface SpcSeasonLimits {
  /** 0 (Sunday) to 6. */
  weekday: number;
  /** `Sunday` ... `Saturday`. */
  name: string;
  /** Null while this weekday is still learning. */
  limits: SpcLimits | null;
}

/**
 * The control chart of one metric. The top-level limits are the ones the next point will be
 * judged against (with seasonality: those of the newest point's weekday; see `seasons`).
 */
export interface SpcChart {
  metric: string;
  status: SpcStatus;
  centre: number | null;
  upperLimit: number | null;
  lowerLimit: number | null;
  sigma: number | null;
  movingRangeMean: number | null;
  baseline: SpcBaseline | null;
  /** Per-weekday limits of the current baseline period, with day-of-week seasonality; otherwise null. */
  seasons: SpcSeasonLimits[] | null;
  points: SpcChartPoint[];
  /** Every broken rule, in time order. */
  violations: SpcViolation[];
  config: SpcConfig;
}

/** The judgement of the newest point only: what a build needs to know. */
export interface SpcJudgement {
  metric: string;
  at: string;
  value: number;
  runId?: string;
  status: SpcStatus;
  phase: SpcPhase;
  /** The rules broken, in rule order. */
  rules: SpcRule[];
  violations: SpcViolation[];
  /** The limits it was judged against; null while learning. */
  limits: SpcLimits | null;
  zone: SpcZone | null;
  sigmas: number | null;
  /** One sentence: why it is learning, in control, or out of control. */
  message: string;
}
