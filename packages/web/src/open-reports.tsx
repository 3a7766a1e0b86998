/**
 * The overview's open reports: problems consumers reported on any asset that are not resolved yet,
 * newest first, for the owners to acknowledge and resolve. From `GET /api/feedback`.
 */
import { useEffect, useState } from 'react';
import type { FeedbackListBody } from '@weir/core';
import { feedbackApi } from './api.js';
import { ReportActions, ReportStatus, Said } from './feedback-parts.js';

/**
 * The panel.
 *
 * @example
 * ```tsx
 * <OpenReports />
 * ```
 */
export function OpenReports() {
  const [body, setBody] = useState<FeedbackListBody>();
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    feedbackApi.reports().then(
      (value) => live && (setBody(value), setError(undefined)),
      (failure: unknown) => live && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    return () => {
      live = false;
    };
  }, [version]);
  const reload = () => setVersion((n) => n + 1);
  return (
    <section className="open-reports" data-testid="open-reports">
      <h2>
        Open reports {body && <span className={body.items.length > 0 ? 'count' : 'count none'}>{body.items.length}</span>}
      </h2>
      {error && <p className="error">{error}</p>}
      {body && body.items.length === 0 && <p className="hint">No open reports: every problem consumers reported is resolved.</p>}
      {body && body.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>asset</th>
              <th>report</th>
              <th>status</th>
              <th>owner</th>
              <th>by</th>
              <th>when</th>
              {body.canChangeStatus && <th />}
            </tr>
          </thead>
          <tbody>
            {body.items.map((report) => (
              <tr key={report.id} data-feedback={report.id} data-asset={report.asset}>
                <td>
                  <a href={`#/assets/${encodeURIComponent(report.asset)}`}>{report.asset}</a>
                </td>
                <td className="report-text">{report.text}</td>
                <td>
                  <ReportStatus status={report.status ?? 'open'} />
                </td>
                <td className="report-owner">{body.owners[report.asset] ?? '-'}</td>
                <td>{report.author ?? 'anonymous'}</td>
                <td>
                  <Said at={report.at} />
                </td>
                {body.canChangeStatus && (
                  <td>
                    <ReportActions report={report} changed={reload} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
