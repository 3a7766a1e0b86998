/**
 * What `weir run` shows while it works. On a terminal: finished steps scroll above a live block
 * with one line per running asset and its elapsed time, redrawn a few times a second. Elsewhere
 * (CI logs, pipes): one plain line per event that matters, no escape codes.
 */
import type { WeirEvent } from '@weir/core';
import { cellText, formatDuration } from './format-table.js';

/** Receives run events and draws them. */
export interface RunProgress {
  onEvent(event: WeirEvent): void;
  onLog(asset: string, message: string): void;
  /** Rows read or written so far by a running build (terminal only; logs get the final count). */
  onRows(asset: string, rows: number): void;
  /** Writes a line above the live block. */
  line(text: string): void;
  stop(): void;
}

const SYMBOL = { ok: '✓', same: '=', warn: '!', fail: '✗', skip: '-', stop: '■' } as const;

/** The plain line for an event, or undefined for events that are not worth a line. */
export function describeEvent(event: WeirEvent): string | undefined {
  switch (event.type) {
    case 'step_succeeded':
      return `${SYMBOL.ok} ${event.asset}  published ${event.version}  ${cellText(event.rows)} rows  ${formatDuration(event.durationMs)}${event.warnings ? `  (${event.warnings} warning${event.warnings > 1 ? 's' : ''})` : ''}`;
    case 'step_skipped':
      if (event.reason === 'unchanged') return `${SYMBOL.same} ${event.asset}  unchanged (${event.version ?? ''}), not rebuilt`;
      if (event.reason === 'pinned') return `${SYMBOL.same} ${event.asset}  ${event.detail}`;
      return `${SYMBOL.skip} ${event.asset}  skipped: ${event.detail}`;
    case 'check_evaluated':
      if (event.passed) return undefined;
      return `${event.severity === 'error' ? SYMBOL.fail : SYMBOL.warn} ${event.asset}  check ${event.check} ${event.severity === 'error' ? 'FAILED' : 'warning'}: ${event.detail}`;
    case 'asset_blocked':
      return `${SYMBOL.fail} ${event.asset}  held back: version ${event.version} not published (failed: ${event.failedChecks.join(', ')})`;
    case 'step_failed':
      return `${SYMBOL.fail} ${event.asset}  failed: ${errorPlace(event.error)}${event.error.message}${event.error.hint ? ` (hint: ${event.error.hint})` : ''}`;
    case 'step_retrying':
      return `${SYMBOL.warn} ${event.asset}  attempt ${event.attempt} failed (${event.error.message}); retrying in ${formatDuration(event.delayMs)}`;
    case 'step_cancelled':
      return `${SYMBOL.stop} ${event.asset}  cancelled, nothing published`;
    default:
      return undefined;
  }
}

/** `file:line:column: ` for an error that points into a file, or nothing. */
export function errorPlace(error: { file?: string; line?: number; column?: number }): string {
  if (!error.file) return '';
  return `${error.file}${error.line !== undefined ? `:${error.line}` : ''}${error.line !== undefined && error.column !== undefined ? `:${error.column}` : ''}: `;
}

/** Progress for pipes and logs. */
export function plainProgress(write: (text: string) => void): RunProgress {
  return {
    onEvent: (event) => {
      const text = describeEvent(event);
      if (text) write(`${text}\n`);
    },
    onLog: (asset, message) => write(`  ${asset}: ${message}\n`),
    onRows: () => undefined,
    line: (text) => write(`${text}\n`),
    stop: () => undefined,
  };
}

/** Progress for a terminal: a live block of running steps under the scrolling history. */
export function terminalProgress(stream: Pick<NodeJS.WriteStream, 'write' | 'columns'>): RunProgress {
  const running = new Map<string, number>();
  const rowsSoFar = new Map<string, number>();
  let drawn = 0;
  const clear = (): void => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = (): void => {
    clear();
    const width = stream.columns || 100;
    const lines = [...running].map(([asset, since]) => {
      const rows = rowsSoFar.get(asset);
      return `  … ${asset}  ${formatDuration(Date.now() - since)}${rows === undefined ? '' : `  ${cellText(rows)} rows`}`.slice(0, width - 1);
    });
    if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const above = (text: string): void => {
    clear();
    stream.write(`${text}\n`);
    draw();
  };
  const timer = setInterval(draw, 200);
  timer.unref();
  return {
    onEvent: (event) => {
      if (event.type === 'step_started') running.set(event.asset, running.get(event.asset) ?? Date.now());
      if (['step_succeeded', 'step_failed', 'step_cancelled', 'asset_blocked', 'step_skipped'].includes(event.type) && 'asset' in event) {
        running.delete(event.asset);
        rowsSoFar.delete(event.asset);
      }
      const text = describeEvent(event);
      if (text) above(text);
      else draw();
    },
    onLog: (asset, message) => above(`  ${asset}: ${message}`),
    onRows: (asset, rows) => {
      if (running.has(asset)) rowsSoFar.set(asset, rows);
    },
    line: above,
    stop: () => {
      clearInterval(timer);
      clear();
    },
  };
}
