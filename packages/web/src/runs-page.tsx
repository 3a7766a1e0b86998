/** `#/runs`: the recorded runs (refreshed every few seconds), filtered by status and by text, and a button that starts a run. */
import { useState } from 'react';
import { runApi } from './api.js';
import { useRoleGate } from './auth-session.js';
import { RunTable } from './run-table.js';
import { useApi } from './use-api.js';
import { LIST_REFRESH_MS, usePolling } from './use-polling.js';

const STATUSES = ['running', 'succeeded', 'failed', 'cancelled', 'crashed'];

export function RunsPage() {
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const runs = useApi(() => runApi.list(status || undefined), `runs:${status}`, usePolling(LIST_REFRESH_MS));
  const needle = text.trim().toLowerCase();
  const shown = (runs.value ?? []).filter((run) => needle === '' || [run.runId, run.command, ...run.selection].some((value) => value.toLowerCase().includes(needle)));
  return (
    <main>
      <StartRun />
      <h2>Runs</h2>
      <div className="filters">
        <label>
          status{' '}
          <select data-testid="run-status-filter" value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">any</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label>
          command or selection <input data-testid="run-text-filter" value={text} onChange={(event) => setText(event.target.value)} placeholder="e.g. retry, orders" />
        </label>
      </div>
      {runs.error && <p className="error">{runs.error}</p>}
      <RunTable runs={shown} testId="runs" />
      {runs.value && shown.length === 0 && <p>No runs match.</p>}
    </main>
  );
}

/**
 * Starts a run in weir serve with an optional selection (`orders+ tag:finance`, as on the command
 * line) and opens its page, which follows it live.
 */
export function StartRun() {
  const [selection, setSelection] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const editor = useRoleGate('editor');
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { runId } = await runApi.start(selection.split(/[\s,]+/).filter((part) => part !== ''));
      window.location.hash = `#/runs/${encodeURIComponent(runId)}`;
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="start-run"
      onSubmit={(event) => {
        event.preventDefault();
        void start();
      }}
    >
      <input data-testid="run-selection" value={selection} onChange={(event) => setSelection(event.target.value)} placeholder="selection (empty: every asset), e.g. orders+" />
      <button type="submit" disabled={busy || !editor.allowed} title={editor.reason} data-testid="run-start">
        Run
      </button>
      {error && <span className="error" data-testid="run-start-error">{error}</span>}
    </form>
  );
}
