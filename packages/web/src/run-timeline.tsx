/** A run's steps as bars on one time axis, from each step's start to its end (or now, while running). */
import type { RunDetail } from '@weir/core';
import { StateBadge } from './state-badge.js';

/** The run's span in milliseconds: from its start to its end, or to `now` while it runs. */
function span(run: RunDetail, now: number): { from: number; to: number } {
  const from = Date.parse(run.startedAt);
  const ends = run.steps.map((step) => (step.endedAt ? Date.parse(step.endedAt) : step.startedAt ? now : from));
  const to = Math.max(run.endedAt ? Date.parse(run.endedAt) : now, ...ends, from + 1);
  return { from, to };
}

function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

export function RunTimeline({ run, now }: { run: RunDetail; now: number }) {
  const { from, to } = span(run, now);
  const width = to - from;
  const percent = (at: number) => `${(((at - from) / width) * 100).toFixed(2)}%`;
  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-axis">
        <span>0</span>
        <span>{seconds(width / 2)}</span>
        <span>{seconds(width)}</span>
      </div>
      {run.steps.map((step) => {
        const start = step.startedAt ? Date.parse(step.startedAt) : undefined;
        // A running step has no end yet: its bar reaches to now and grows as the page ticks.
        const end = step.endedAt ? Date.parse(step.endedAt) : step.status === 'running' ? now : start;
        return (
          <div className="timeline-row" key={step.asset} data-step={step.asset} data-status={step.status}>
            <span className="timeline-label">
              <a href={`#/assets/${encodeURIComponent(step.asset)}`}>{step.asset}</a> <StateBadge state={step.status} />
            </span>
            <span className="timeline-track">
              {start !== undefined && end !== undefined ? (
                <span
                  className={`timeline-bar bar-${step.status}`}
                  style={{ left: percent(start), width: `max(3px, ${(((end - start) / width) * 100).toFixed(2)}%)` }}
                  title={`${step.asset}: ${step.status}, ${seconds(end - start)}`}
                />
              ) : (
                <span className="timeline-note">{step.skipReason ? `skipped: ${step.skipReason.replace('_', ' ')}` : step.status}</span>
              )}
            </span>
            <span className="timeline-time">{start !== undefined && end !== undefined ? seconds(end - start) : ''}</span>
          </div>
        );
      })}
    </div>
  );
}
