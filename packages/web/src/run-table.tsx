/** A table of recorded runs, each linked to its page: the runs page and the overview's recent runs. */
import type { RunSummary } from '@weir/core';
import { StateBadge } from './state-badge.js';

/**
 * One row per run: id (linked), status, command, selection, start and end.
 *
 * @example
 * ```tsx
 * <RunTable runs={runs.value ?? []} testId="runs" />
 * ```
 */
export function RunTable({ runs, testId }: { runs: RunSummary[]; testId?: string }) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th>run</th>
          <th>status</th>
          <th>command</th>
          <th>selection</th>
          <th>started</th>
          <th>ended</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId} data-run={run.runId}>
            <td>
              <a href={`#/runs/${encodeURIComponent(run.runId)}`}>{run.runId}</a>
            </td>
            <td>
              <StateBadge state={run.status} />
            </td>
            <td>{run.command}</td>
            <td>{run.selection.join(' ') || 'all'}</td>
            <td>{run.startedAt}</td>
            <td>{run.endedAt ?? '-'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
