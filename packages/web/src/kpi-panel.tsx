/**
 * The DataOps KPIs of the overview: one tile per KPI with its value over the window, the change
 * against the window before, and a sparkline of its daily trend. A KPI with nothing measured
 * says "no data yet" rather than showing a zero. Definitions: docs/kpis.md.
 */
import type { KpisBody, KpiValue } from '@weir/core';
import { api } from './api.js';
import { formatDuration, formatPercent } from './kpi-format.js';
import { KpiSparkline } from './kpi-sparkline.js';
import { useApi } from './use-api.js';

/** The window the overview shows, in days. */
const DAYS = 30;

interface TileSpec {
  key: 'deliveryTime' | 'uptime' | 'qualityScore' | 'errorRate' | 'timeToResolve';
  label: string;
  unit: 'duration' | 'ratio';
  /** Which way is better, for colouring the delta. */
  better: 'higher' | 'lower';
  /** What sits under the value. */
  note: (kpis: KpisBody) => string;
  title: string;
}

const TILES: TileSpec[] = [
  {
    key: 'deliveryTime',
    label: 'Data delivery time',
    unit: 'duration',
    better: 'lower',
    note: (k) => (k.deliveryTime.p90 === null ? '' : `median · p90 ${formatDuration(k.deliveryTime.p90)} · ${k.deliveryTime.samples} deliveries`),
    title: 'Source data arrival (start of the run’s source steps) to the run’s last publication, in runs that succeeded',
  },
  {
    key: 'uptime',
    label: 'Pipeline uptime',
    unit: 'ratio',
    better: 'higher',
    note: (k) => `of asset-time healthy · ${k.uptime.samples} assets`,
    title: 'Share of asset-time the assets were published and not failed or blocked',
  },
  {
    key: 'qualityScore',
    label: 'Data quality score',
    unit: 'ratio',
    better: 'higher',
    note: (k) => `of ${k.qualityScore.samples} check evaluations (error ×2, warn ×1)`,
    title: 'Severity-weighted share of check evaluations that passed',
  },
  {
    key: 'errorRate',
    label: 'Error rate',
    unit: 'ratio',
    better: 'lower',
    note: (k) => `${k.errorRate.failedRuns} of ${k.errorRate.finishedRuns} runs failed${k.errorRate.stepErrorRate === null ? '' : ` · steps ${formatPercent(k.errorRate.stepErrorRate)}`}`,
    title: 'Failed and crashed runs over finished runs; failed steps over steps that did work',
  },
  {
    key: 'timeToResolve',
    label: 'Time to resolve failures',
    unit: 'duration',
    better: 'lower',
    note: (k) => `${k.timeToResolve.value === null ? '' : `median of ${k.timeToResolve.samples} · `}${k.timeToResolve.unresolved} unresolved`,
    title: 'From an asset’s first failed or blocked step to its next publication',
  },
];

export function KpiPanel() {
  const kpis = useApi(() => api.kpis(DAYS), `kpis-${DAYS}`);
  return (
    <section className="kpis" data-testid="kpis">
      <h2>DataOps KPIs, last {DAYS} days</h2>
      {kpis.error && <p className="error">{kpis.error}</p>}
      {kpis.value && (
        <div className="kpi-tiles">
          {TILES.map((tile) => (
            <KpiTile key={tile.key} tile={tile} kpis={kpis.value!} />
          ))}
        </div>
      )}
      {kpis.value?.truncated && <p className="hint">Only the newest {kpis.value.runsRead} runs were read.</p>}
    </section>
  );
}

function KpiTile({ tile, kpis }: { tile: TileSpec; kpis: KpisBody }) {
  const kpi: KpiValue = kpis[tile.key];
  const format = tile.unit === 'duration' ? formatDuration : formatPercent;
  const empty = kpi.value === null;
  // The unresolved count matters even before anything was resolved.
  const note = empty && tile.key !== 'timeToResolve' ? '' : tile.note(kpis);
  return (
    <div className="kpi-tile" data-kpi={tile.key} title={tile.title}>
      <div className="kpi-label">{tile.label}</div>
      <div className="kpi-value" data-value={kpi.value ?? ''}>
        {empty ? <span className="kpi-empty">no data yet</span> : format(kpi.value!)}
      </div>
      {note && <div className="kpi-note">{note}</div>}
      <KpiDelta kpi={kpi} tile={tile} days={kpis.days} />
      <KpiSparkline trend={kpi.trend} label={tile.label} />
    </div>
  );
}

function KpiDelta({ kpi, tile, days }: { kpi: KpiValue; tile: TileSpec; days: number }) {
  if (kpi.value === null) return null;
  if (kpi.previous === null) return <div className="kpi-delta">no data in the {days} days before</div>;
  const change = kpi.value - kpi.previous;
  const text = tile.unit === 'ratio' ? `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)} pts` : `${change >= 0 ? '+' : '−'}${formatDuration(Math.abs(change))}`;
  const good = change === 0 ? 'same' : (change > 0) === (tile.better === 'higher') ? 'better' : 'worse';
  return (
    <div className={`kpi-delta ${good}`} data-delta={change}>
      {change === 0 ? 'unchanged' : text} vs the {days} days before
    </div>
  );
}
