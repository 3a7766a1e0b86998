/**
 * Pieces the asset page's feedback section and the overview's open reports share: stars, a
 * report's status badge, the acknowledge/resolve buttons, and when something was said.
 */
import { useState } from 'react';
import type { FeedbackBody, FeedbackStatus } from '@weir/core';
import { feedbackApi } from './api.js';

/**
 * Five stars, `value` of them filled (fractions fill part of a star), for showing trust.
 *
 * @example
 * ```tsx
 * <Stars value={3.5} />
 * ```
 */
export function Stars({ value, size = 16 }: { value: number; size?: number }) {
  return (
    <span className="stars" style={{ fontSize: size }} role="img" aria-label={`${value} of 5`} data-value={value}>
      {[1, 2, 3, 4, 5].map((star) => {
        const fill = Math.max(0, Math.min(1, value - star + 1));
        return (
          <span key={star} className="star">
            ★<span className="star-fill" style={{ width: `${fill * 100}%` }}>★</span>
          </span>
        );
      })}
    </span>
  );
}

/** The words a report's status is shown with. */
const statusWords: Record<FeedbackStatus, string> = { open: 'open', acknowledged: 'acknowledged', resolved: 'resolved' };

/**
 * A report's status as a coloured label.
 *
 * @example
 * ```tsx
 * <ReportStatus status="open" />
 * ```
 */
export function ReportStatus({ status }: { status: FeedbackStatus }) {
  return (
    <span className={`state report-${status}`} data-testid="report-status">
      {statusWords[status]}
    </span>
  );
}

/**
 * The buttons that move a report along (acknowledge, resolve, reopen) with an optional note, for
 * callers whose role allows it. `changed` is told the report as it is now.
 *
 * @example
 * ```tsx
 * <ReportActions report={item} changed={reload} />
 * ```
 */
export function ReportActions({ report, changed }: { report: FeedbackBody; changed: (report: FeedbackBody) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const move = async (status: FeedbackStatus) => {
    setBusy(true);
    setError(undefined);
    try {
      changed(await feedbackApi.setStatus(report.id, note.trim() === '' ? { status } : { status, note }));
      setNote('');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  const buttons: Array<[FeedbackStatus, string]> =
    report.status === 'resolved' ? [['open', 'Reopen']] : report.status === 'acknowledged' ? [['resolved', 'Resolve']] : [['acknowledged', 'Acknowledge'], ['resolved', 'Resolve']];
  return (
    <div className="report-actions">
      {report.status !== 'resolved' && <input value={note} onChange={(event) => setNote(event.target.value)} placeholder="note for the reporter (optional)" maxLength={1000} aria-label="note" />}
      {buttons.map(([status, label]) => (
        <button key={status} type="button" disabled={busy} onClick={() => void move(status)} className={status === 'resolved' ? 'primary' : ''}>
          {label}
        </button>
      ))}
      {error && <span className="error">{error}</span>}
    </div>
  );
}

/**
 * When, as people say it: "3 min ago", "yesterday", or the date; the exact time in the tooltip.
 *
 * @example
 * ```tsx
 * <Said at={item.at} />
 * ```
 */
export function Said({ at }: { at: string }) {
  const seconds = (Date.now() - Date.parse(at)) / 1000;
  const text =
    seconds < 60 ? 'just now' : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago` : seconds < 86_400 ? `${Math.floor(seconds / 3600)} h ago` : seconds < 172_800 ? 'yesterday' : new Date(at).toLocaleDateString();
  return (
    <time dateTime={at} title={new Date(at).toLocaleString()}>
      {text}
    </time>
  );
}
