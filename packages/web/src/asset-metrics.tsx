/**
 * The asset page's "Metrics" section: every metric the asset's builds record (the latest values of
 * `AssetDetail.metrics`), each with its control chart and status from the server. The asset's own
 * metrics (row count, build time, freshness) are charted at once; column metrics are grouped per
 * column, folded, and charted when opened: a table of twenty columns records over a hundred.
 */
import { useState } from 'react';
import type { AssetDetail } from '@weir/core';
import { spcApi } from './api.js';
import { ControlChart, label } from './control-chart.js';
import { useApi } from './use-api.js';

type LatestMetric = AssetDetail['metrics'][number];

const STATUS_TEXT = { learning: 'learning', in_control: 'in control', out_of_control: 'out of control' } as const;

/** `row_count`, `null_rate(email)`: how builds and `weir spc show` name a series. */
function seriesName(metric: LatestMetric): string {
  return metric.column === undefined ? metric.metric : `${metric.metric}(${metric.column})`;
}

function MetricChart({ asset, metric }: { asset: string; metric: LatestMetric }) {
  const name = seriesName(metric);
  const chart = useApi(() => spcApi.chart(asset, metric.metric, metric.column), `${asset}\0${name}`);
  return (
    <section className="metric" data-testid="metric" data-metric={name}>
      <h3>
        {name} <span className="metric-value" title={String(metric.value)}>{metric.value === null ? 'no value' : label(metric.value)}</span>{' '}
        {chart.value ? (
          <span className={`spc-status spc-${chart.value.status}`} data-testid="spc-status">
            {STATUS_TEXT[chart.value.status]}
          </span>
        ) : null}
      </h3>
      {chart.error ? <p className="metric-note">{chart.error}</p> : chart.value ? <ControlChart chart={chart.value} /> : <p className="metric-note">loading…</p>}
    </section>
  );
}

/**
 * The section: one chart per recorded metric, or a sentence when the asset records none.
 *
 * @example
 * ```tsx
 * <AssetMetrics asset={detail.name} metrics={detail.metrics} />
 * ```
 */
export function AssetMetrics({ asset, metrics }: { asset: string; metrics: AssetDetail['metrics'] }) {
  const own = metrics.filter((metric) => metric.column === undefined);
  const columns = [...new Set(metrics.flatMap((metric) => (metric.column === undefined ? [] : [metric.column])))];
  return (
    <>
      <h2>Metrics</h2>
      {metrics.length === 0 ? (
        <p>No metrics recorded yet: each build of a table records them.</p>
      ) : (
        <>
          <div className="metrics" data-testid="metrics">
            {own.map((metric) => (
              <MetricChart key={seriesName(metric)} asset={asset} metric={metric} />
            ))}
          </div>
          {columns.map((column) => (
            <ColumnMetrics key={column} asset={asset} column={column} metrics={metrics.filter((metric) => metric.column === column)} />
          ))}
        </>
      )}
    </>
  );
}

/** One column's metrics, folded: the latest values in the summary, the charts once opened. */
function ColumnMetrics({ asset, column, metrics }: { asset: string; column: string; metrics: LatestMetric[] }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="column-metrics" data-column={column} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        <strong>{column}</strong>{' '}
        <span className="metric-note">
          {metrics.map((metric) => `${metric.metric} ${metric.value === null ? '-' : label(metric.value)}`).join(' · ')}
        </span>
      </summary>
      {open && (
        <div className="metrics">
          {metrics.map((metric) => (
            <MetricChart key={seriesName(metric)} asset={asset} metric={metric} />
          ))}
        </div>
      )}
    </details>
  );
}
