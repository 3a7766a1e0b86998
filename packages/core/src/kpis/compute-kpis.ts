/**
 * The DataOps KPIs of an environment: reads its history from the state store and folds it into
 * the five KPIs over a window of days, each with its daily trend and previous-window value.
 */
import type { KpisBody } from '../api/kpi-types.js';
import type { StateStore } from '../storage/state-store.js';
import { assetHealth, assetIncidents } from './asset-health.js';
import { deliveryTimeKpi } from './delivery-time-kpi.js';
import { errorRateKpi } from './error-rate-kpi.js';
import { readKpiHistory, type KpiHistory } from './kpi-history.js';
import { kpiWindow } from './kpi-window.js';
import { qualityScoreKpi } from './quality-score-kpi.js';
import { timeToResolveKpi } from './time-to-resolve-kpi.js';
import { uptimeKpi } from './uptime-kpi.js';

/** What the KPIs are computed for. */
export interface KpiOptions {
  environment: string;
  /** The project's assets: health, uptime and failures are of these only. */
  assets: readonly string[];
  /** Assets with no upstream asset, where source data arrives (for the delivery time). */
  roots: ReadonlySet<string>;
  /** Whole UTC days, ending today (default 30). */
  days?: number;
  /** Default: the current time. */
  now?: Date;
  /** At most this many runs are read (default `KPI_MAX_RUNS`). */
  maxRuns?: number;
}

/**
 * Folds a read history into the KPIs (pure: the same history and options give the same answer).
 *
 * @example
 * ```ts
 * const body = foldKpis(history, { environment: 'prod', assets: ['orders'], roots: new Set(['raw_orders']), now });
 * ```
 */
export function foldKpis(history: KpiHistory, options: KpiOptions): KpisBody {
  const days = options.days ?? 30;
  const window = kpiWindow(options.now ?? new Date(), days);
  const health = assetHealth(history, options.assets);
  const incidents = assetIncidents(health);
  return {
    environment: options.environment,
    days,
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    previousFrom: new Date(window.previousFrom).toISOString(),
    deliveryTime: deliveryTimeKpi(history, window, options.roots),
    uptime: uptimeKpi(health, window),
    qualityScore: qualityScoreKpi(history, window),
    errorRate: errorRateKpi(history, window),
    timeToResolve: timeToResolveKpi(incidents, window),
    runsRead: history.runs.length,
    truncated: history.truncated,
  };
}

/**
 * Reads the environment's history since the start of the previous window and folds it.
 *
 * @example
 * ```ts
 * const names = [...project.assets.keys()];
 * const roots = new Set([...project.assets.values()].filter((asset) => inputsOf(asset).length === 0).map((asset) => asset.name));
 * const body = await computeKpis(store, { environment: project.environment, assets: names, roots, days: 30 });
 * body.errorRate.value; // 0.04
 * ```
 */
export async function computeKpis(store: StateStore, options: KpiOptions): Promise<KpisBody> {
  const now = options.now ?? new Date();
  const window = kpiWindow(now, options.days ?? 30);
  const history = await readKpiHistory(store, {
    environment: options.environment,
    since: new Date(window.previousFrom).toISOString(),
    ...(options.maxRuns === undefined ? {} : { maxRuns: options.maxRuns }),
  });
  return foldKpis(history, { ...options, now });
}
