/**
 * Time to resolve failures: for each failure of an asset (from its first failed or blocked step
 * to its next publication, see `asset-health.ts`), the time it took; the median over the
 * failures resolved in the window, counted on the day they were resolved, with the 90th
 * percentile, and the failures still unresolved now.
 */
import type { TimeToResolveKpi } from '../api/kpi-types.js';
import type { AssetIncident } from './asset-health.js';
import { foldByDay } from './fold-by-day.js';
import type { KpiWindow } from './kpi-window.js';
import { quantile } from './quantile.js';

/**
 * The time to resolve KPI, in seconds.
 *
 * @example
 * ```ts
 * const kpi = timeToResolveKpi(assetIncidents(assetHealth(history, names)), kpiWindow(new Date(), 30));
 * ```
 */
export function timeToResolveKpi(incidents: readonly AssetIncident[], window: KpiWindow): TimeToResolveKpi {
  const samples = incidents.flatMap((incident) => (incident.resolvedAt === null ? [] : [{ at: incident.resolvedAt, sample: (incident.resolvedAt - incident.openedAt) / 1000 }]));
  const median = foldByDay(window, samples, (values) => quantile(values, 0.5));
  const open = incidents.filter((incident) => incident.resolvedAt === null).map((incident) => incident.openedAt);
  return {
    ...median,
    p90: foldByDay(window, samples, (values) => quantile(values, 0.9)).value,
    unresolved: open.length,
    oldestUnresolvedSince: open.length === 0 ? null : new Date(Math.min(...open)).toISOString(),
  };
}
