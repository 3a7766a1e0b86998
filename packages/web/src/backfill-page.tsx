/**
 * `#/backfills/<id>`: one backfill, as `weir backfill show` prints it: its facts, counts per asset
 * and state, and a grid of partitions (rows) by asset (columns), each cell coloured by its state;
 * refreshed every two seconds while the backfill runs.
 */
import type { BackfillDetailBody } from '@weir/core';
import { orchestrationApi } from './api.js';
import { TaskCounts } from './backfills-page.js';
import { StateBadge } from './state-badge.js';
import { useApi } from './use-api.js';
import { PROGRESS_REFRESH_MS, usePolling } from './use-polling.js';
import { useEffect, useState } from 'react';

export function BackfillPage({ id }: { id: string }) {
  const [running, setRunning] = useState(true);
  // Every two seconds while it runs, so its grid fills in as partitions finish; not once it has ended.
  const backfill = useApi(() => orchestrationApi.backfill(id), `backfill:${id}`, usePolling(PROGRESS_REFRESH_MS, running));
  const status = backfill.value?.status;
  useEffect(() => setRunning(status === undefined || status === 'running'), [status]);
  return (
    <main>
      <p>
        <a href="#/backfills">Backfills</a>
      </p>
      {backfill.error && <p className="error">{backfill.error}</p>}
      {backfill.value && <BackfillDetail backfill={backfill.value} />}
    </main>
  );
}

function BackfillDetail({ backfill }: { backfill: BackfillDetailBody }) {
  const assets = backfill.assets.map((asset) => asset.asset);
  const partitions = [...new Set(backfill.tasks.map((task) => task.partition))].sort();
  const cell = new Map(backfill.tasks.map((task) => [`${task.asset}\0${task.partition}`, task]));
  const notes = backfill.tasks.filter((task) => task.detail !== undefined);
  return (
    <>
      <h2>
        Backfill <span data-testid="backfill-id">{backfill.backfillId}</span>{' '}
        <span data-testid="backfill-status">
          <StateBadge state={backfill.status} />
        </span>
      </h2>
      <dl className="run-facts">
        <dt>environment</dt>
        <dd>{backfill.environment}</dd>
        <dt>range</dt>
        <dd>
          {backfill.from ?? 'start'}..{backfill.to ?? 'end'}
        </dd>
        <dt>selection</dt>
        <dd>{backfill.selection.join(' ') || 'every partitioned asset'}</dd>
        <dt>requested</dt>
        <dd>{backfill.requestedAt}</dd>
        <dt>ended</dt>
        <dd>{backfill.endedAt ?? '-'}</dd>
        <dt>at once</dt>
        <dd>{backfill.concurrency}</dd>
        <dt>progress</dt>
        <dd>
          <TaskCounts backfill={backfill} />
        </dd>
      </dl>
      <h2>Per asset</h2>
      <table data-testid="backfill-assets">
        <thead>
          <tr>
            <th>asset</th>
            <th>version</th>
            <th>done</th>
            <th>running</th>
            <th>failed</th>
            <th>missing</th>
          </tr>
        </thead>
        <tbody>
          {backfill.assets.map((asset) => {
            const own = backfill.tasks.filter((task) => task.asset === asset.asset);
            const count = (state: string) => own.filter((task) => task.status === state).length;
            return (
              <tr key={asset.asset}>
                <td>
                  <a href={`#/assets/${encodeURIComponent(asset.asset)}`}>{asset.asset}</a>
                </td>
                <td>
                  <code>{asset.version}</code>
                </td>
                <td>{count('done')}</td>
                <td>{count('running')}</td>
                <td>{count('failed')}</td>
                <td>{count('missing')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Partitions</h2>
      <table className="partition-grid" data-testid="partition-grid">
        <thead>
          <tr>
            <th>partition</th>
            {assets.map((asset) => (
              <th key={asset}>{asset}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {partitions.map((partition) => (
            <tr key={partition}>
              <td>{partition}</td>
              {assets.map((asset) => {
                const task = cell.get(`${asset}\0${partition}`);
                return task === undefined ? (
                  <td key={asset} />
                ) : (
                  <td key={asset} className={`task-cell task-${task.status}`} data-partition={partition} data-asset={asset} data-status={task.status} title={task.detail ?? task.status}>
                    {task.status}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {notes.length > 0 && (
        <ul className="run-errors">
          {notes.map((task) => (
            <li key={`${task.asset}\0${task.partition}`}>
              {task.asset} {task.partition}: {task.detail}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
