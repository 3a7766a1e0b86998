/** One asset: what it is, its columns, versions and latest checks, and its neighbours. */
import { api } from './api.js';
import { AssetMetrics } from './asset-metrics.js';
import { useAssetChanges } from './asset-changes.js';
import { AssetFreshness } from './asset-freshness.js';
import { AssetVersions } from './asset-versions.js';
import { ColumnLineage } from './column-lineage.js';
import { DataPreview } from './data-preview.js';
import { AssetFeedback } from './asset-feedback.js';
import { CheckHistory } from './check-history.js';
import { StateBadge } from './state-badge.js';
import { useApi } from './use-api.js';

export function AssetPage({ name }: { name: string }) {
  const asset = useApi(() => api.asset(name), name, useAssetChanges(name));
  if (asset.error) return <main className="error">{asset.error}</main>;
  const detail = asset.value;
  if (!detail) return <main>loading {name}…</main>;
  return (
    <main>
      <h2 data-testid="asset-name">
        {detail.name} <StateBadge state={detail.state} />
      </h2>
      <p>{detail.description ?? ''}</p>
      <p data-testid="asset-owner">
        owner: {detail.owner ?? <span className="hint">none set (add owner: to the model's header)</span>}
        {detail.tags.length > 0 && (
          <>
            {' '}· tags:{' '}
            {detail.tags.map((tag) => (
              <a key={tag} className="tag" href={`#/catalog?q=${encodeURIComponent(`tag:${tag}`)}`}>
                {tag}
              </a>
            ))}
          </>
        )}
      </p>
      <p>
        {detail.kind}, {detail.materialization}, {detail.file}; live version <span data-testid="live-version">{detail.version ?? 'none'}</span> in {detail.environment}
      </p>
      <AssetFreshness name={detail.name} publishedAt={detail.publishedAt} pinned={detail.pinned} />
      <p>
        upstream: {detail.upstream.map((up) => <a key={up} href={`#/assets/${up}`}>{up} </a>)} downstream:{' '}
        {detail.downstream.map((down) => <a key={down} href={`#/assets/${down}`}>{down} </a>)}
      </p>
      <h2>Columns</h2>
      <table data-testid="columns">
        <tbody>
          {detail.columns.map((column) => (
            <tr key={column.name}>
              <td>{column.name}</td>
              <td>{column.type}</td>
              <td>{column.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Checks on the live version</h2>
      <table data-testid="checks">
        <tbody>
          {detail.checks.map((check) => (
            <tr key={check.check}>
              <td>{check.check}</td>
              <td>{check.severity}</td>
              <td>{check.passed ? 'pass' : 'FAIL'}</td>
              <td>{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ColumnLineage asset={detail.name} />
      <DataPreview asset={detail.name} version={detail.version} />
      <h2>Check history</h2>
      <CheckHistory asset={detail.name} />
      <AssetMetrics asset={detail.name} metrics={detail.metrics} />
      <AssetVersions asset={detail.name} versions={detail.versions} />
      <AssetFeedback asset={detail.name} />
    </main>
  );
}
