/** The overview: the project, its assets with their state, and the recent runs (both refreshed every 15 s). */
import type { AssetSummary } from '@weir/core';
import { api } from './api.js';
import { FailingAssets } from './failing-assets.js';
import { KpiPanel } from './kpi-panel.js';
import { OpenReports } from './open-reports.js';
import { RunTable } from './run-table.js';
import { StateBadge } from './state-badge.js';
import { useApi } from './use-api.js';
import { OVERVIEW_REFRESH_MS, usePolling } from './use-polling.js';

export function OverviewPage() {
  const project = useApi(api.project, 'project');
  // States and runs move as runs happen; the KPIs and reports are slower things, read on arrival.
  const tick = usePolling(OVERVIEW_REFRESH_MS);
  const assets = useApi(api.assets, 'assets', tick);
  const runs = useApi(api.runs, 'runs', tick);
  const counts = new Map<string, number>();
  for (const asset of assets.value ?? []) counts.set(asset.state, (counts.get(asset.state) ?? 0) + 1);
  return (
    <main>
      {project.error && <p className="error">{project.error}</p>}
      {project.value && (
        <div className="tiles">
          <div className="tile">
            assets<b data-testid="asset-count">{project.value.assets}</b>
          </div>
          {['published', 'warning', 'stale', 'blocked', 'failed', 'never_built'].map((state) => (
            <div className="tile" key={state}>
              {state.replace('_', ' ')}
              <b>{counts.get(state) ?? 0}</b>
            </div>
          ))}
        </div>
      )}
      <KpiPanel />
      <FailingAssets assets={assets.value} />
      <OpenReports />
      <h2>Assets</h2>
      {assets.error && <p className="error">{assets.error}</p>}
      <AssetTable assets={assets.value ?? []} />
      <h2>Recent runs</h2>
      {runs.error && <p className="error">{runs.error}</p>}
      <RunTable runs={runs.value ?? []} />
    </main>
  );
}

function AssetTable({ assets }: { assets: AssetSummary[] }) {
  return (
    <table data-testid="assets">
      <thead>
        <tr>
          <th>asset</th>
          <th>state</th>
          <th>kind</th>
          <th>version</th>
          <th>rows</th>
          <th>owner</th>
        </tr>
      </thead>
      <tbody>
        {assets.map((asset) => (
          <tr key={asset.name} data-asset={asset.name}>
            <td>
              <a href={`#/assets/${encodeURIComponent(asset.name)}`}>{asset.name}</a>
            </td>
            <td>
              <StateBadge state={asset.state} />
            </td>
            <td>{asset.kind}</td>
            <td>{asset.version ?? '-'}</td>
            <td>{asset.rows ?? '-'}</td>
            <td>{asset.owner ?? '-'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
