/**
 * `#/runs/<id>`: one run's header, the timeline of its steps, their errors (file:line), the failed
 * checks and the run's log. While the run runs, the page follows `/api/runs/<id>/events` (server-
 * sent events) and reloads the run's detail as events arrive, so it moves without a reload.
 */
import type { CheckResultBody, RunDetail } from '@weir/core';
import { useEffect, useRef, useState } from 'react';
import { ApiError, runApi } from './api.js';
import { useRoleGate } from './auth-session.js';
import { RunEventStream, type RunStreamEvent } from './run-events.js';
import { RunTimeline } from './run-timeline.js';
import { StateBadge } from './state-badge.js';

/** The event types the log shows (the stream hears only the named events it listens to). */
const EVENT_TYPES = [
  'run_started',
  'step_started',
  'step_retrying',
  'step_skipped',
  'asset_materialized',
  'check_evaluated',
  'asset_published',
  'asset_blocked',
  'step_succeeded',
  'step_failed',
  'step_cancelled',
  'cancel_requested',
  'run_finished',
  'metrics_measured',
  'rows_quarantined',
  'partition_started',
];

/** How long a run submitted from this page may take to be recorded before the page says it is unknown. */
const START_WAIT_MS = 15_000;

interface LogEntry {
  id: number;
  type: string;
  at: string;
  text: string;
}

interface ShownError {
  code?: string;
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** One event as a line for people. */
function describe(event: Record<string, unknown>): string {
  const asset = typeof event.asset === 'string' ? `${event.asset}: ` : '';
  const error = event.error as ShownError | undefined;
  switch (event.type) {
    case 'run_started':
      return `run started (${String(event.command)}${Array.isArray(event.selection) && event.selection.length > 0 ? ` ${event.selection.join(' ')}` : ''})`;
    case 'step_failed':
    case 'step_retrying':
      return `${asset}${String(event.type).replace('step_', '')}: ${error?.message ?? ''}${error?.file ? ` at ${location(error)}` : ''}`;
    case 'step_skipped':
      return `${asset}skipped (${String(event.reason)}) ${String(event.detail ?? '')}`;
    case 'check_evaluated':
      return `${asset}check ${String(event.check)} ${event.passed ? 'passed' : 'FAILED'}${event.passed ? '' : `: ${String(event.detail)}`}`;
    case 'asset_materialized':
      return `${asset}built ${event.rows ?? '?'} rows in ${String(event.durationMs)} ms`;
    case 'run_finished':
      return `run finished: ${String(event.status)}`;
    default:
      return `${asset}${String(event.type).replace(/_/g, ' ')}`;
  }
}

function location(error: ShownError): string {
  return `${error.file}${error.line === undefined ? '' : `:${error.line}`}${error.column === undefined ? '' : `:${error.column}`}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The steps a retry runs again: those that did not succeed, except skips that needed no work. */
function retryable(run: RunDetail): string[] {
  return run.steps.filter((step) => step.status !== 'succeeded' && step.skipReason !== 'unchanged' && step.skipReason !== 'pinned').map((step) => step.asset);
}

export function RunPage({ runId }: { runId: string }) {
  const [run, setRun] = useState<RunDetail>();
  const [error, setError] = useState<string>();
  // Set while the server cannot be reached after the run was shown: the page keeps what it had.
  const [connectionLost, setConnectionLost] = useState<string>();
  const [log, setLog] = useState<LogEntry[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const [actionError, setActionError] = useState<string>();
  const [acting, setActing] = useState(false);
  const editor = useRoleGate('editor');
  // Reloads are chained: an event that arrives during a reload asks for one more afterwards.
  const reloading = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });
  const live = useRef(true);

  const reload = async () => {
    const state = reloading.current;
    if (state.busy) {
      state.again = true;
      return;
    }
    state.busy = true;
    try {
      do {
        state.again = false;
        const detail = await runApi.detail(runId);
        if (live.current) {
          setRun(detail);
          setConnectionLost(undefined);
        }
      } while (state.again);
    } catch (failure) {
      // A dropped connection must not replace the run with an error: the event stream reconnects
      // on its own, and its next event reloads the detail and clears this.
      if (live.current) setConnectionLost(message(failure));
    } finally {
      state.busy = false;
    }
  };

  // First load. A run just accepted by weir serve is recorded when it starts: wait for it a while.
  useEffect(() => {
    live.current = true;
    setRun(undefined);
    setError(undefined);
    setConnectionLost(undefined);
    setLog([]);
    const deadline = Date.now() + START_WAIT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      runApi.detail(runId).then(
        (detail) => live.current && setRun(detail),
        (failure: unknown) => {
          if (!live.current) return;
          if (failure instanceof ApiError && failure.code === 'RUN_UNKNOWN' && runApi.submittedHere(runId) && Date.now() < deadline) timer = setTimeout(load, 200);
          else setError(message(failure));
        },
      );
    };
    load();
    return () => {
      live.current = false;
      clearTimeout(timer);
    };
  }, [runId]);

  const loaded = run !== undefined;
  const running = run?.status === 'running';

  // The log: every event so far, then each new one while the run runs; each event reloads the detail.
  useEffect(() => {
    if (!loaded) return;
    // Read with fetch, not EventSource, so the token goes in a header (run-events.ts).
    const source = new RunEventStream(runApi.eventsUrl(runId));
    const seen = new Set<number>();
    const heard = (raw: RunStreamEvent) => {
      const event = JSON.parse(raw.data) as Record<string, unknown> & { id: number; type: string; at: string };
      if (seen.has(event.id)) return;
      seen.add(event.id);
      setLog((entries) => [...entries, { id: event.id, type: event.type, at: event.at, text: describe(event) }]);
      void reload();
      if (event.type === 'run_finished') source.close();
    };
    for (const type of EVENT_TYPES) source.addEventListener(type, heard);
    // The server ends the stream once the run has ended (or the connection failed): reload the detail.
    source.onerror = () => void reload();
    return () => source.close();
    // `reload` is a new closure per render; the subscription lives as long as the page shows this run.
  }, [runId, loaded]);

  // A running step's bar grows with the clock.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [running]);

  const act = async (action: () => Promise<unknown>) => {
    setActing(true);
    setActionError(undefined);
    try {
      await action();
    } catch (failure) {
      setActionError(message(failure));
    } finally {
      setActing(false);
    }
  };

  if (error) return <main><p className="error" data-testid="run-error">{error}</p></main>;
  if (!run) return <main><p>Loading run {runId}…</p></main>;
  const again = running ? [] : retryable(run);
  const failedChecks = run.checks.filter((check) => !check.passed);
  const errors = run.steps.filter((step) => step.error !== null && step.error !== undefined);
  return (
    <main>
      <h2 className="run-title">
        run <span data-testid="run-id">{run.runId}</span> <span data-testid="run-status"><StateBadge state={run.status} /></span>
      </h2>
      {connectionLost !== undefined && (
        <p className="error" data-testid="run-connection">
          Lost touch with the server ({connectionLost}); trying again. What is shown is as of then.
        </p>
      )}
      <dl className="run-facts">
        <dt>command</dt>
        <dd>{run.command} {run.selection.join(' ')}</dd>
        <dt>environment</dt>
        <dd>{run.environment}</dd>
        <dt>started</dt>
        <dd>{run.startedAt}</dd>
        <dt>ended</dt>
        <dd>{run.endedAt ?? (running ? 'running…' : '-')}</dd>
        <dt>summary</dt>
        <dd data-testid="run-summary">
          {Object.entries(run.summary ?? {})
            .map(([key, count]) => `${count} ${key}`)
            .join(', ') || '-'}
        </dd>
      </dl>
      <div className="run-actions">
        {running && (
          <button type="button" disabled={acting || !editor.allowed} title={editor.reason} onClick={() => void act(() => runApi.cancel(run.runId).then(reload))}>
            Cancel
          </button>
        )}
        {again.length > 0 && (
          <button
            type="button"
            disabled={acting || !editor.allowed}
            title={editor.reason}
            onClick={() =>
              void act(async () => {
                const { runId: next } = await runApi.retry(run.runId, again);
                window.location.hash = `#/runs/${encodeURIComponent(next)}`;
              })
            }
          >
            Retry failed steps ({again.length})
          </button>
        )}
        {actionError && <span className="error" data-testid="run-action-error">{actionError}</span>}
      </div>
      <h2>Steps</h2>
      <RunTimeline run={run} now={now} />
      {errors.length > 0 && (
        <>
          <h2>Errors</h2>
          <ul className="run-errors" data-testid="run-errors">
            {errors.map((step) => {
              const shown = step.error as ShownError;
              return (
                <li key={step.asset}>
                  <b>{step.asset}</b> {shown.code && <code>{shown.code}</code>} {shown.message}
                  {shown.file && <span className="error-location"> at {location(shown)}</span>}
                  {shown.hint && <div className="hint">{shown.hint}</div>}
                </li>
              );
            })}
          </ul>
        </>
      )}
      {failedChecks.length > 0 && <FailedChecks checks={failedChecks} />}
      <h2>Log</h2>
      <ol className="run-log" data-testid="run-log">
        {log.map((entry) => (
          <li key={entry.id} data-event={entry.type} data-id={entry.id}>
            <time>{entry.at.slice(11, 23)}</time> {entry.text}
          </li>
        ))}
      </ol>
    </main>
  );
}

function FailedChecks({ checks }: { checks: CheckResultBody[] }) {
  return (
    <>
      <h2>Failed checks</h2>
      <table data-testid="failed-checks">
        <thead>
          <tr>
            <th>check</th>
            <th>severity</th>
            <th>failing rows</th>
            <th>detail</th>
          </tr>
        </thead>
        <tbody>
          {checks.map((check) => (
            <tr key={`${check.version}:${check.check}`}>
              <td>{check.check}</td>
              <td>{check.severity}</td>
              <td>{check.failingRows ?? '-'}</td>
              <td>{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
