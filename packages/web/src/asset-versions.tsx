/**
 * The asset page's versions, newest first, the live one marked. An earlier published version has
 * a "Roll back" button for editors (disabled with the reason for a viewer; should the server refuse,
 * its sentence is shown): after a confirmation, the environment's view points at it and the page
 * loads the asset again.
 */
import { useState } from 'react';
import type { VersionBody } from '@weir/core';
import { assetDataApi } from './api.js';
import { announceAssetChange } from './asset-changes.js';
import { useRoleGate } from './auth-session.js';

/**
 * The table.
 *
 * @example
 * ```tsx
 * <AssetVersions asset={detail.name} versions={detail.versions} />
 * ```
 */
export function AssetVersions({ asset, versions }: { asset: string; versions: VersionBody[] }) {
  const [confirming, setConfirming] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ error?: string; done?: string }>({});
  const live = versions.find((version) => version.live);
  const gate = useRoleGate('editor');

  const rollBack = async (version: string) => {
    setBusy(true);
    setOutcome({});
    try {
      const result = await assetDataApi.rollback(asset, version);
      setOutcome({ done: `${asset} now serves ${result.to} (was ${result.from}); runs leave it there until it is unpinned` });
      announceAssetChange(asset);
    } catch (error) {
      setOutcome({ error: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
      setConfirming(undefined);
    }
  };

  return (
    <>
      <h2>Versions</h2>
      {outcome.error ? (
        <p className="error" role="alert" data-testid="rollback-error">
          Rollback refused: {outcome.error}
        </p>
      ) : null}
      {outcome.done ? <p data-testid="rollback-done">{outcome.done}</p> : null}
      <table data-testid="versions">
        <thead>
          <tr>
            <th>live</th>
            <th>version</th>
            <th>status</th>
            <th>rows</th>
            <th>created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.version} data-version={version.version} data-live={version.live}>
              <td>{version.live ? '●' : ''}</td>
              <td className="version-id">{version.version}</td>
              <td>{version.status}</td>
              <td>{version.rows ?? '-'}</td>
              <td>{version.createdAt}</td>
              <td className="version-actions">
                {version.live || version.status !== 'published' ? null : confirming === version.version ? (
                  <span className="confirm">
                    Serve {version.version} instead of {live?.version ?? 'the live version'}?{' '}
                    <button type="button" disabled={busy} onClick={() => void rollBack(version.version)}>
                      Confirm rollback
                    </button>{' '}
                    <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(undefined)}>
                      Cancel
                    </button>
                  </span>
                ) : (
                  <button type="button" data-testid="rollback" disabled={busy || !gate.allowed} title={gate.reason} onClick={() => setConfirming(version.version)}>
                    Roll back to this
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
