/**
 * Where OpenLineage events go. The file transport appends NDJSON (one event per line); the HTTP
 * transport POSTs each event, in order, to an OpenLineage endpoint, each request timed out and
 * retried a bounded number of times, the whole emission under a deadline. Neither throws: how an
 * emission ended is its result, and the run it is about has already ended as it ended.
 */
import { appendFile, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { backoffDelay, excerpt, parseRetryAfter, sleep } from '../connectors/http/http-retry.js';
import { messageOf } from '../errors/weir-error.js';
import { formatWait, maskTargetText } from '../project/outbound-target.js';
import type { OpenLineageFileTransport, OpenLineageHttpTransport, OpenLineageTransport } from '../project/openlineage-spec.js';
import type { LineageRunEvent } from './openlineage-event.js';

/** How one emission ended. `sent` counts the events the transport accepted. */
export type EmissionOutcome =
  | { delivered: true; sent: number; attempts: number }
  | { delivered: false; sent: number; attempts: number; error: string; statusCode?: number };

/** Sends a run's events somewhere. */
export interface LineageTransport {
  /** Where, safe to show (a path or URL as written in weir.yaml). */
  readonly target: string;
  emit(events: readonly LineageRunEvent[]): Promise<EmissionOutcome>;
}

/** How patiently the HTTP transport sends. `attempts` counts the first request of each event. */
export interface LineageHttpPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** The whole emission of a run: past it, the events not yet sent are given up (and recorded). */
  deadlineMs: number;
}

/**
 * Three attempts per event, 0.25 s then 0.5 s apart, the whole run's emission within 30 s: a
 * lineage backend that is down costs a run at most a few seconds past its requests' timeouts.
 */
export const LINEAGE_HTTP_POLICY: LineageHttpPolicy = { attempts: 3, initialDelayMs: 250, maxDelayMs: 5_000, deadlineMs: 30_000 };

/**
 * The transport declared in weir.yaml.
 *
 * @example
 * ```ts
 * const transport = lineageTransport(project.openlineage.transport);
 * const outcome = await transport.emit(events); // { delivered: true, sent: 6, attempts: 6 }
 * ```
 */
export function lineageTransport(spec: OpenLineageTransport, policy: LineageHttpPolicy = LINEAGE_HTTP_POLICY): LineageTransport {
  return spec.type === 'file' ? new FileLineageTransport(spec) : new HttpLineageTransport(spec, policy);
}

/**
 * Appends each event as one line of JSON. All of a run's lines go in one append (one `write` to a
 * file opened for appending), so a concurrent writer's lines are never cut into ours; should the
 * file end in a partial line (a process killed mid-write), a newline first keeps our lines whole.
 */
export class FileLineageTransport implements LineageTransport {
  readonly target: string;

  constructor(private readonly spec: OpenLineageFileTransport) {
    this.target = spec.shownPath;
  }

  async emit(events: readonly LineageRunEvent[]): Promise<EmissionOutcome> {
    if (events.length === 0) return { delivered: true, sent: 0, attempts: 0 };
    try {
      await mkdir(path.dirname(this.spec.path), { recursive: true });
      const lines = events.map((event) => `${JSON.stringify(event)}\n`).join('');
      await appendFile(this.spec.path, `${(await endsInPartialLine(this.spec.path)) ? '\n' : ''}${lines}`, 'utf8');
      return { delivered: true, sent: events.length, attempts: 1 };
    } catch (error) {
      return { delivered: false, sent: 0, attempts: 1, error: `could not append to ${this.spec.shownPath}: ${messageOf(error)}` };
    }
  }
}

async function endsInPartialLine(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

type Failure = { retry: boolean; error: string; statusCode?: number; retryAfterMs?: number };

/**
 * POSTs each event as JSON (the OpenLineage HTTP API takes one event per request), in order, so a
 * backend sees a job's START before its end. An event that fails every attempt ends the
 * emission: the backend is down, and the rest would only wait on it too.
 */
export class HttpLineageTransport implements LineageTransport {
  readonly target: string;

  constructor(
    private readonly spec: OpenLineageHttpTransport,
    private readonly policy: LineageHttpPolicy = LINEAGE_HTTP_POLICY,
  ) {
    this.target = spec.shownUrl;
  }

  async emit(events: readonly LineageRunEvent[]): Promise<EmissionOutcome> {
    const { missing } = this.spec;
    if (missing.length > 0) {
      const names = missing.map((name) => `"${name}"`).join(', ');
      return { delivered: false, sent: 0, attempts: 0, error: `not sent: environment variable${missing.length === 1 ? '' : 's'} ${names} ${missing.length === 1 ? 'is' : 'are'} not set where weir ran` };
    }
    const deadline = Date.now() + this.policy.deadlineMs;
    let attempts = 0;
    for (const [index, event] of events.entries()) {
      const body = JSON.stringify(event);
      for (let attempt = 1; ; attempt++) {
        attempts++;
        const failure = await this.attempt(body, deadline);
        if (failure === undefined) break;
        const ended = (error: string): EmissionOutcome => ({
          delivered: false,
          sent: index,
          attempts,
          error: this.mask(`${error}; ${index} of ${events.length} events sent`),
          ...(failure.statusCode === undefined ? {} : { statusCode: failure.statusCode }),
        });
        if (!failure.retry) return ended(failure.error);
        if (attempt >= this.policy.attempts) return ended(`${failure.error} (${attempt} attempts)`);
        const wait = Math.min(failure.retryAfterMs ?? backoffDelay(attempt, this.policy), this.policy.maxDelayMs);
        if (Date.now() + wait >= deadline) return ended(`${failure.error}, and the emission's deadline (${formatWait(this.policy.deadlineMs)}) has passed`);
        await sleep(wait);
      }
    }
    return { delivered: true, sent: events.length, attempts };
  }

  /** One POST: undefined when the endpoint took the event, else why not. */
  private async attempt(body: string, deadline: number): Promise<Failure | undefined> {
    const timeoutMs = Math.max(1, Math.min(this.spec.timeoutMs, deadline - Date.now()));
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.spec.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'weir', ...this.spec.headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return { retry: true, error: `no answer from ${this.spec.shownUrl} within ${formatWait(timeoutMs)}` };
      const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
      if (cause === undefined) return { retry: false, error: `could not send to ${this.spec.shownUrl}: ${messageOf(error)}` };
      const code = (cause as { code?: unknown }).code;
      const why = cause instanceof Error ? (typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message) : String(cause);
      return { retry: true, error: `could not reach ${this.spec.shownUrl}: ${why}` };
    }
    const status = response.status;
    if (status >= 200 && status < 300) return undefined;
    const failure: Failure = { retry: status === 408 || status === 429 || status >= 500, statusCode: status, error: `HTTP ${status} ${response.statusText} from ${this.spec.shownUrl}: ${excerpt(text)}` };
    if (status >= 300 && status < 400) failure.error = `HTTP ${status} from ${this.spec.shownUrl}: the endpoint redirects (point the url at where it redirects)`;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (failure.retry && retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
    return failure;
  }

  /** The resolved URL shown as written, then every secret replaced by `***`. */
  private mask(text: string): string {
    return maskTargetText(this.spec, text);
  }
}
