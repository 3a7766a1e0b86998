/**
 * A run's server-sent events read with fetch instead of EventSource: EventSource cannot send an
 * Authorization header, and putting the token in the URL would leave it in server and proxy logs
 * and the browser's history. fetch sends the same header as every other call; eventsource-parser
 * reads the stream. The subset of EventSource the run page uses: named listeners, onerror (also
 * called when the server ends the stream) and close. Like EventSource, a connection that fails
 * is opened again after a moment, from the last event heard (`Last-Event-ID`), so a run page
 * keeps following a run through a dropped connection; a stream the server ends (the run has
 * ended) is not.
 */
import { createParser } from 'eventsource-parser';
import { authSession } from './auth-session.js';

/** One event as the listeners get it (what they read of an EventSource's MessageEvent). */
export interface RunStreamEvent {
  data: string;
  lastEventId: string;
}

/**
 * Opens an event stream over fetch with the session's token.
 *
 * @example
 * ```ts
 * const stream = new RunEventStream('/api/runs/r1/events');
 * stream.addEventListener('run_finished', (event) => console.log(event.data));
 * stream.onerror = () => stream.close();
 * ```
 */
export class RunEventStream {
  onerror: (() => void) | null = null;
  private readonly listeners = new Map<string, Array<(event: RunStreamEvent) => void>>();
  private readonly aborter = new AbortController();
  private closed = false;

  constructor(url: string) {
    void this.read(url);
  }

  addEventListener(type: string, listener: (event: RunStreamEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
    this.aborter.abort();
  }

  private async read(url: string): Promise<void> {
    let lastEventId = '';
    for (let failures = 0; !this.closed; ) {
      try {
        const resume: Record<string, string> = lastEventId === '' ? {} : { 'last-event-id': lastEventId };
        const response = await fetch(url, { headers: { accept: 'text/event-stream', ...resume, ...authSession.headers() }, signal: this.aborter.signal });
        if (response.status === 401) authSession.unauthorized();
        // A refusal (unknown run, no permission) will not change by asking again.
        if (!response.ok || response.body === null) break;
        const parser = createParser({
          onEvent: (message) => {
            if (this.closed) return;
            if (message.id !== undefined) lastEventId = message.id;
            for (const listener of this.listeners.get(message.event ?? 'message') ?? []) listener({ data: message.data, lastEventId: message.id ?? '' });
          },
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done || this.closed) break;
          failures = 0;
          parser.feed(value);
        }
        break;
      } catch {
        // Aborted by close(), or the connection failed: try again a few times, then give up.
        if (this.closed || ++failures > MAX_RECONNECTS) break;
        this.onerror?.();
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    }
    if (!this.closed) {
      this.closed = true;
      this.onerror?.();
    }
  }
}

/** How long a failed connection waits before it is opened again (EventSource's default is about 3 s). */
const RECONNECT_MS = 1_000;
/** Failed connections in a row after which the stream gives up (the page still reloads the run). */
const MAX_RECONNECTS = 10;
