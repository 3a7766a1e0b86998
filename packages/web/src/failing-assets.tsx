/** The overview's list of assets that need someone: failed, blocked or stale, with why. */
import type { AssetSummary } from '@weir/core';
import { StateBadge } from './state-badge.js';

/** Worst first. */
const ATTENTION: Record<string, number> = { failed: 0, blocked: 1, stale: 2 };

function reasonOf(asset: AssetSummary): string {
  if (asset.state === 'failed') return "its last run's step failed; the previous version (if any) stays live";
  if (asset.state === 'blocked') return 'its newest build was held back by a failing error check';
  return asset.staleReason ?? '';
}

export function FailingAssets({ assets }: { assets: AssetSummary[] | undefined }) {
  if (assets === undefined) return null;
  const needy = assets.filter((asset) => asset.state in ATTENTION).sort((a, b) => ATTENTION[a.state]! - ATTENTION[b.state]! || a.name.localeCompare(b.name));
  return (
    <section data-testid="failing-assets">
      <h2>Failing and stale assets</h2>
      {needy.length === 0 ? (
        <p className="hint">No asset is failing, blocked or stale.</p>
      ) : (
        <table>
          <tbody>
            {needy.map((asset) => (
              <tr key={asset.name} data-asset={asset.name}>
                <td>
                  <a href={`#/assets/${encodeURIComponent(asset.name)}`}>{asset.name}</a>
                </td>
                <td>
                  <StateBadge state={asset.state} />
                </td>
                <td className="reason">{reasonOf(asset)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
