/**
 * `#/schedules`: every schedule and sensor with its state, next ticks, last failure (a custom
 * sensor's throw, at its file:line) and the runs it started; Pause and Resume for editors.
 * Refreshed every few seconds.
 */
import { useState } from 'react';
import type { TriggerBody } from '@weir/core';
import { orchestrationApi } from './api.js';
import { useRoleGate } from './auth-session.js';
import { StateBadge } from './state-badge.js';
import { useApi } from './use-api.js';
import { LIST_REFRESH_MS, usePolling } from './use-polling.js';

export function SchedulesPage() {
  const [refresh, setRefresh] = useState(0);
  const listing = useApi(() => orchestrationApi.triggers(), 'triggers', refresh + usePolling(LIST_REFRESH_MS));
  const [error, setError] = useState<string>();
  const triggers = listing.value?.triggers ?? [];
  const schedules = triggers.filter((trigger) => trigger.kind === 'schedule');
  const sensors = triggers.filter((trigger) => trigger.kind === 'sensor');
  const changed = (failure?: string) => {
    setError(failure);
    setRefresh((count) => count + 1);
  };
  return (
    <main className="schedules-page">
      <h2>Schedules</h2>
      {listing.error && <p className="error">{listing.error}</p>}
      {error && (
        <p className="error" data-testid="trigger-error">
          {error}
        </p>
      )}
      {listing.value && triggers.length === 0 && <p>No schedules or sensors: declare them under schedules: and sensors: in weir.yaml, or write a sensor in sensors/&lt;name&gt;.ts.</p>}
      {schedules.length > 0 && (
        <table data-testid="schedules">
          <thead>
            <tr>
              <th>schedule</th>
              <th>state</th>
              <th>cron</th>
              <th>next ticks</th>
              <th>last tick</th>
              <th>recent runs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {schedules.map((trigger) => (
              <tr key={trigger.name} data-trigger={trigger.name}>
                <td>{trigger.name}</td>
                <td>
                  <TriggerState trigger={trigger} />
                </td>
                <td>
                  <code>{trigger.cron}</code> <span className="hint">{trigger.timezone}</span>
                </td>
                <td data-testid="next-ticks">
                  {trigger.next.map((time) => (
                    <div key={time.utc} title={time.utc}>
                      {time.local} <span className="hint">({time.utc.slice(0, 16).replace('T', ' ')} UTC)</span>
                    </div>
                  ))}
                </td>
                <td>{trigger.lastTick ? trigger.lastTick.local : <span className="hint">never</span>}</td>
                <td>
                  <RecentRuns trigger={trigger} />
                </td>
                <td>
                  <PauseButton trigger={trigger} onDone={changed} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sensors.length > 0 && (
        <>
          <h2>Sensors</h2>
          <table data-testid="sensors">
            <thead>
              <tr>
                <th>sensor</th>
                <th>state</th>
                <th>type</th>
                <th>every</th>
                <th>cursor</th>
                <th>recent runs</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sensors.map((trigger) => (
                <SensorRows key={trigger.name} trigger={trigger} onDone={changed} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}

function SensorRows({ trigger, onDone }: { trigger: TriggerBody; onDone: (error?: string) => void }) {
  const failure = trigger.lastFailure;
  return (
    <>
      <tr data-trigger={trigger.name} className={failure && trigger.failing ? 'trigger-failing-row' : undefined}>
        <td>{trigger.name}</td>
        <td>
          <TriggerState trigger={trigger} />
        </td>
        <td>
          {trigger.type}
          {trigger.file && <span className="hint"> ({trigger.file})</span>}
        </td>
        <td>{trigger.intervalSeconds}s</td>
        <td>
          {trigger.cursor === null ? <span className="hint">none yet</span> : <code className="trigger-cursor">{trigger.cursor}</code>}
          {trigger.updatedAt && <div className="hint">moved {trigger.updatedAt}</div>}
        </td>
        <td>
          <RecentRuns trigger={trigger} />
        </td>
        <td>
          <PauseButton trigger={trigger} onDone={onDone} />
        </td>
      </tr>
      {failure && (
        <tr className="trigger-failure" data-failure={trigger.name}>
          <td colSpan={7}>
            <span className="error">
              {trigger.failing ? 'Failing' : 'Last failed'} at {failure.at}: {failure.message}
            </span>
            {failure.file && (
              <span className="error-location">
                {' '}
                {failure.file}
                {failure.line === undefined ? '' : `:${failure.line}`}
              </span>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

/** Paused, failing or active. */
function TriggerState({ trigger }: { trigger: TriggerBody }) {
  const state = trigger.paused ? 'paused' : trigger.failing ? 'failing' : 'active';
  return (
    <span data-testid="trigger-state" title={trigger.pausedBy === 'weir.yaml' ? 'as weir.yaml says' : 'paused or resumed by a command or this page'}>
      <StateBadge state={state} />
    </span>
  );
}

function RecentRuns({ trigger }: { trigger: TriggerBody }) {
  if (trigger.recentRuns.length === 0) return <span className="hint">none</span>;
  return (
    <ul className="trigger-runs">
      {trigger.recentRuns.map((run) => (
        <li key={run.runId}>
          <a href={`#/runs/${encodeURIComponent(run.runId)}`}>{run.runId}</a> <StateBadge state={run.status} />
        </li>
      ))}
    </ul>
  );
}

/** Pause or Resume; disabled for viewers with the reason as its tooltip. */
function PauseButton({ trigger, onDone }: { trigger: TriggerBody; onDone: (error?: string) => void }) {
  const editor = useRoleGate('editor');
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    try {
      await orchestrationApi.setPaused(trigger.name, !trigger.paused);
      onDone();
    } catch (failure) {
      onDone(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" disabled={busy || !editor.allowed} title={editor.reason} data-testid={`toggle-${trigger.name}`} onClick={() => void toggle()}>
      {trigger.paused ? 'Resume' : 'Pause'}
    </button>
  );
}
