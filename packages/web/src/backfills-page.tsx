/** `#/backfills`: recorded backfills, newest first, with their status and task counts by state (refreshed every few seconds). */
import type { BackfillSummaryBody } from '@weir/core';
import { orchestrationApi } from './api.js';
import { StateBadge } from './state-badge.js';
import { useApi } from './use-api.js';
import { LIST_REFRESH_MS, usePolling } from './use-polling.js';

const TASK_STATES = ['done', 'running', 'failed', 'missing'] as const;

export function BackfillsPage() {
  const backfills = useApi(() => orchestrationApi.backfills(), 'backfills', usePolling(LIST_REFRESH_MS));
  return (
    <main>
      <h2>Backfills</h2>
      {backfills.error && <p className="error">{backfills.error}</p>}
      {backfills.value && backfills.value.length === 0 && <p>No backfills yet: start one with weir backfill &lt;assets&gt; --from &lt;day&gt; --to &lt;day&gt;.</p>}
      {backfills.value && backfills.value.length > 0 && (
        <table data-testid="backfills">
          <thead>
            <tr>
              <th>backfill</th>
              <th>status</th>
              <th>assets</th>
              <th>range</th>
              <th>progress</th>
              <th>requested</th>
            </tr>
          </thead>
          <tbody>
            {backfills.value.map((backfill) => (
              <tr key={backfill.backfillId} data-backfill={backfill.backfillId}>
                <td>
                  <a href={`#/backfills/${encodeURIComponent(backfill.backfillId)}`}>{backfill.backfillId}</a>
                </td>
                <td>
                  <StateBadge state={backfill.status} />
                </td>
                <td>{backfill.assets.map((asset) => asset.asset).join(', ')}</td>
                <td>
                  {backfill.from ?? 'start'}..{backfill.to ?? 'end'}
                </td>
                <td>
                  <TaskCounts backfill={backfill} />
                </td>
                <td>{backfill.requestedAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

/** A bar of the tasks by state, and the counts. */
export function TaskCounts({ backfill }: { backfill: BackfillSummaryBody }) {
  return (
    <div className="backfill-progress">
      <div className="backfill-bar" title={`${backfill.counts.done}/${backfill.total} done`}>
        {TASK_STATES.map((state) =>
          backfill.counts[state] > 0 ? <span key={state} className={`task-${state}`} style={{ flexGrow: backfill.counts[state] }} /> : null,
        )}
      </div>
      <span className="hint" data-testid="backfill-counts">
        {backfill.counts.done}/{backfill.total} done
        {TASK_STATES.filter((state) => state !== 'done' && backfill.counts[state] > 0)
          .map((state) => `, ${backfill.counts[state]} ${state}`)
          .join('')}
      </span>
    </div>
  );
}
