/**
 * Pipeline uptime: the share of asset-time the project's assets were healthy. An asset is
 * observed from its first recorded outcome (or from the start of the history when a version was
 * published before it) and is down from a failed or blocked step until it is published again; up
 * otherwise. Uptime = up asset-time / observed asset-time, summed over assets, for the window and
 * for each day (today up to now). Staleness is not downtime: a stale asset still serves its
 * last good data, and says so on the overview.
 */
import type { KpiValue } from '../api/kpi-types.js';
import { healthyTime, type AssetHealth } from './asset-health.js';
import { dayBounds, type KpiWindow } from './kpi-window.js';

/**
 * The uptime KPI, a ratio from 0 to 1; `samples` is the number of assets observed in the window.
 *
 * @example
 * ```ts
 * const kpi = uptimeKpi(assetHealth(history, names), kpiWindow(new Date(), 30));
 * ```
 */
export function uptimeKpi(health: readonly AssetHealth[], window: KpiWindow): KpiValue {
  const over = (from: number, to: number): { ratio: number | null; assets: number } => {
    let up = 0;
    let observed = 0;
    let assets = 0;
    for (const asset of health) {
      const time = healthyTime(asset, from, to);
      up += time.up;
      observed += time.observed;
      if (time.observed > 0) assets += 1;
    }
    return { ratio: observed === 0 ? null : up / observed, assets };
  };
  const current = over(window.from, window.to);
  return {
    value: current.ratio,
    previous: over(window.previousFrom, window.from).ratio,
    trend: window.days.map((day) => {
      const [start, end] = dayBounds(day);
      return { day, value: over(start, Math.min(end, window.to)).ratio };
    }),
    samples: current.assets,
  };
}
