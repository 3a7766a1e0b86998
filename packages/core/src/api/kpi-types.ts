/**
 * `GET /api/kpis?days=30`: the DataOps KPIs of the project's environment over a window of whole
 * UTC days ending today, each with a daily trend and its value over the window before (for a
 * delta). Built by `computeKpis` (core/src/kpis); definitions in docs/kpis.md.
 */

/** One day of a KPI's trend. */
export interface KpiPoint {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Null when nothing was measured that day (no run, no check, no resolution). */
  value: number | null;
}

/** One KPI: its value over the window, over the window before, and per day. */
export interface KpiValue {
  /** Over the whole window; null when nothing was measured in it. */
  value: number | null;
  /** The same over the previous window of as many days; null when nothing was measured then. */
  previous: number | null;
  /** One point per day of the window, oldest first. */
  trend: KpiPoint[];
  /** How many things the value is made of (runs, check evaluations, resolved failures, assets). */
  samples: number;
}

/** Data delivery time, in seconds: source data arrival to the run's last publication. */
export interface DeliveryTimeKpi extends KpiValue {
  /** The 90th percentile over the window (`value` is the median). */
  p90: number | null;
  previousP90: number | null;
  /** The daily 90th percentiles, beside `trend`'s daily medians. */
  trendP90: KpiPoint[];
}

/** Error rate: failed and crashed runs over finished runs (a ratio, 0 to 1). */
export interface ErrorRateKpi extends KpiValue {
  failedRuns: number;
  finishedRuns: number;
  /** Failed steps over steps that did work (succeeded, failed or blocked) in the window. */
  stepErrorRate: number | null;
  failedSteps: number;
  steps: number;
}

/** Time to resolve failures, in seconds (median of the failures resolved in the window). */
export interface TimeToResolveKpi extends KpiValue {
  /** The 90th percentile of the same. */
  p90: number | null;
  /** Assets failed or blocked now, not yet resolved. */
  unresolved: number;
  /** When the oldest unresolved failure began; null when there is none. */
  oldestUnresolvedSince: string | null;
}

/** The whole answer of `GET /api/kpis`. */
export interface KpisBody {
  environment: string;
  days: number;
  /** Start of the window (midnight UTC, `days - 1` days before today). */
  from: string;
  /** The end of the window: when the KPIs were computed. */
  to: string;
  /** Start of the previous window (`days` days before `from`). */
  previousFrom: string;
  deliveryTime: DeliveryTimeKpi;
  /** Share of asset-time the assets were healthy (a ratio, 0 to 1). */
  uptime: KpiValue;
  /** Severity-weighted share of check evaluations passing (a ratio, 0 to 1). */
  qualityScore: KpiValue;
  errorRate: ErrorRateKpi;
  timeToResolve: TimeToResolveKpi;
  /** Runs read for both windows. */
  runsRead: number;
  /** True when there were more runs than the server reads (the oldest were left out). */
  truncated: boolean;
}
