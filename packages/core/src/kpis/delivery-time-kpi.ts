/**
 * Data delivery time: how long new source data takes to reach publication. For each finished run
 * that loaded new data into at least one root asset (an asset with no upstream asset: a source
 * table, or a model reading only outside data), the time from the start of its first such root
 * step (the data's arrival) to the end of its last succeeded step (the step ends right after its
 * publication). Counted on the day of that last publication; the value is the median, with the
 * 90th percentile beside it. A run that held one mart back (or failed on one) still delivered the
 * rest, so its status does not matter: its failure shows in the error rate and the time to
 * resolve as well.
 */
import type { DeliveryTimeKpi } from '../api/kpi-types.js';
import { foldByDay, type DatedSample } from './fold-by-day.js';
import type { KpiHistory } from './kpi-history.js';
import type { KpiWindow } from './kpi-window.js';
import { quantile } from './quantile.js';

/**
 * The delivery time KPI, in seconds.
 *
 * @example
 * ```ts
 * const roots = new Set([...project.assets.values()].filter((asset) => inputsOf(asset).length === 0).map((asset) => asset.name));
 * const kpi = deliveryTimeKpi(history, window, roots);
 * ```
 */
export function deliveryTimeKpi(history: KpiHistory, window: KpiWindow, roots: ReadonlySet<string>): DeliveryTimeKpi {
  const samples: Array<DatedSample<number>> = [];
  for (const { run, steps } of history.runs) {
    if (run.status === 'running') continue;
    let arrival = Number.POSITIVE_INFINITY;
    let published = Number.NEGATIVE_INFINITY;
    for (const step of steps) {
      if (step.status !== 'succeeded' || step.endedAt === null) continue;
      published = Math.max(published, Date.parse(step.endedAt));
      // Skipped (unchanged) roots loaded nothing new: no data arrived with them.
      if (roots.has(step.asset) && step.startedAt !== null) arrival = Math.min(arrival, Date.parse(step.startedAt));
    }
    if (Number.isFinite(arrival) && Number.isFinite(published)) samples.push({ at: published, sample: (published - arrival) / 1000 });
  }
  const median = foldByDay(window, samples, (values) => quantile(values, 0.5));
  const p90 = foldByDay(window, samples, (values) => quantile(values, 0.9));
  return { ...median, p90: p90.value, previousP90: p90.previous, trendP90: p90.trend };
}
