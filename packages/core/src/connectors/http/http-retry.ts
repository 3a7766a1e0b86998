/**
 * One HTTP request as a source read needs it: paced by the rate limit, timed out per attempt,
 * retried with exponential backoff and jitter on network errors, timeouts, 408, 429 and 5xx, with
 * the server's `Retry-After` honoured. Other statuses fail at once: asking again will not change
 * the answer. Every text that leaves this file goes through the source's masker.
 */
import { messageOf, WeirError } from '../../errors/weir-error.js';

/** How often and how patiently to retry. `attempts` counts the first request. */
export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** The answer to a request that succeeded (2xx), its body read in full. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
  /** The URL that answered, after redirects. */
  url: string;
}

/** What a request needs besides its URL. */
export interface HttpRequestContext {
  table: string;
  pageNumber: number;
  headers: Record<string, string>;
  policy: RetryPolicy;
  timeoutMs: number;
  pacer: RequestPacer;
  mask: (text: string) => string;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Source of jitter; tests may fix it. */
  random?: () => number;
}

/** How much of an error body a message quotes. */
const BODY_EXCERPT = 200;

/**
 * Spaces request starts at least `1 / requestsPerSecond` apart. A minimum interval rather than a
 * token bucket: APIs count requests per sliding window, so a burst a bucket allows is exactly
 * what earns a 429.
 *
 * @example
 * ```ts
 * const pacer = new RequestPacer(5); // at most one request start every 200 ms
 * await pacer.wait(signal);
 * ```
 */
export class RequestPacer {
  private readonly intervalMs: number;
  private nextStart = 0;

  constructor(requestsPerSecond?: number) {
    this.intervalMs = requestsPerSecond === undefined ? 0 : 1000 / requestsPerSecond;
  }

  /** Resolves when the next request may start; rejects with the signal's reason on abort. */
  async wait(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const delay = this.nextStart - now;
    this.nextStart = Math.max(now, this.nextStart) + this.intervalMs;
    if (delay > 0) await sleep(Math.ceil(delay), signal);
  }
}

/**
 * Waits `ms`, or rejects with `signal.reason` as soon as the signal aborts.
 *
 * @example
 * ```ts
 * await sleep(200, controller.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds: delay-seconds or an HTTP date
 * (a date in the past means now). Undefined when there is no header or it cannot be read.
 *
 * @example
 * ```ts
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter(new Date(Date.now() + 5000).toUTCString()); // about 5000
 * ```
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  // Delay-seconds is an integer by the RFC; a decimal is read kindly rather than as a date.
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The backoff before retry number `retry` (1 for the first retry): exponential from the initial
 * delay, capped, with "equal jitter" (half fixed, half random) so that many readers failing at
 * once do not come back at once, yet none comes back immediately.
 *
 * @example
 * ```ts
 * backoffDelay(3, { attempts: 5, initialDelayMs: 200, maxDelayMs: 30_000 }); // between 400 and 800
 * ```
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  return base / 2 + (random() * base) / 2;
}

type Failure = { kind: 'status'; status: number; statusText: string; body: string; retryAfterMs: number | undefined } | { kind: 'network'; description: string; timedOut: boolean };

/**
 * GETs `url` with the context's headers, retrying what is worth retrying.
 *
 * @throws WeirError `SOURCE_READ_FAILED` for a status that is not retried, or still failing after
 *   the last attempt; `SOURCE_UNAVAILABLE` when the server could not be reached or did not answer
 *   in time on any attempt. On abort, the signal's reason.
 *
 * @example
 * ```ts
 * const answer = await fetchWithRetry(new URL('https://api.example.com/v1/orders'), context);
 * JSON.parse(answer.body);
 * ```
 */
export async function fetchWithRetry(url: URL, context: HttpRequestContext): Promise<HttpAnswer> {
  const { policy, signal, mask } = context;
  const where = `GET ${mask(url.toString())} (page ${context.pageNumber})`;
  for (let attempt = 1; ; attempt++) {
    await context.pacer.wait(signal);
    const failure = await attemptOnce(url, context, where);
    if (!('kind' in failure)) return failure;
    if (attempt >= policy.attempts) throw finalError(failure, where, attempt, context);
    const retryAfterMs = failure.kind === 'status' ? failure.retryAfterMs : undefined;
    if (failure.kind === 'status' && retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) {
      // Asking earlier than the server said would only earn another refusal.
      throw new WeirError('SOURCE_READ_FAILED', `table "${context.table}": HTTP ${failure.status} from ${where}, and the server asks to wait ${formatWait(retryAfterMs)} (Retry-After), longer than retry.max_delay_ms (${formatWait(policy.maxDelayMs)})`, {
        hint: 'raise retry.max_delay_ms to wait that long, or lower rate_limit.requests_per_second',
      });
    }
    const waitMs = retryAfterMs ?? backoffDelay(attempt, policy, context.random);
    const what = failure.kind === 'status' ? `HTTP ${failure.status}` : failure.timedOut ? `no answer within ${context.timeoutMs / 1000} s` : failure.description;
    context.log?.(mask(`${context.table}: ${what} on page ${context.pageNumber}, retrying in ${formatWait(waitMs)} (attempt ${attempt + 1} of ${policy.attempts})`));
    await sleep(waitMs, signal);
  }
}

async function attemptOnce(url: URL, context: HttpRequestContext, where: string): Promise<HttpAnswer | Failure> {
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const signal = context.signal === undefined ? timeout : AbortSignal.any([context.signal, timeout]);
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { headers: context.headers, signal, redirect: 'follow' });
    // Read inside the attempt: the timeout covers the body, and a connection cut mid-body is retried.
    body = await response.text();
  } catch (error) {
    if (context.signal?.aborted) throw context.signal.reason;
    return networkFailure(error, context, where);
  }
  if (response.status >= 200 && response.status < 300) return { status: response.status, headers: response.headers, body, url: response.url || url.toString() };
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    return { kind: 'status', status: response.status, statusText: response.statusText, body, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
  }
  const credentials = response.status === 401 || response.status === 403;
  throw new WeirError('SOURCE_READ_FAILED', context.mask(`table "${context.table}": HTTP ${response.status} ${response.statusText} from ${where}: ${excerpt(body)}`), {
    hint: credentials ? 'check the credentials (auth:) and the environment variables they come from' : response.status === 404 ? 'check the url' : 'this status is not retried: asking again would get the same answer',
  });
}

function networkFailure(error: unknown, context: HttpRequestContext, where: string): Failure {
  if (error instanceof Error && error.name === 'TimeoutError') return { kind: 'network', description: 'timeout', timedOut: true };
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (cause instanceof Error && cause.message === 'bad port') {
    // The Fetch standard blocks some ports (1, 25, 6000, ...); no retry will open them.
    throw new WeirError('SOURCE_UNAVAILABLE', context.mask(`table "${context.table}": could not reach ${where}: fetch refuses to connect to this port (the Fetch standard blocks it)`), {
      hint: 'check the port in the url',
    });
  }
  if (cause === undefined) {
    // No network cause: the request could not even be built (a header value with a newline, ...).
    throw new WeirError('SOURCE_READ_FAILED', context.mask(`table "${context.table}": could not send ${where}: ${messageOf(error)}`), { hint: 'check headers and url' });
  }
  return { kind: 'network', description: describeCause(cause), timedOut: false };
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && !cause.message.includes(code)) return cause.message === '' ? code : `${cause.message} (${code})`;
  return cause.message;
}

function finalError(failure: Failure, where: string, attempts: number, context: HttpRequestContext): WeirError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  if (failure.kind === 'status') {
    return new WeirError('SOURCE_READ_FAILED', context.mask(`table "${context.table}": HTTP ${failure.status} ${failure.statusText} from ${where} after ${tries}: ${excerpt(failure.body)}`), {
      hint: failure.status === 429 ? 'the API kept refusing for too many requests: lower rate_limit.requests_per_second or raise retry.attempts' : 'the API kept failing: try again later, or raise retry.attempts',
    });
  }
  if (failure.timedOut) {
    return new WeirError('SOURCE_UNAVAILABLE', context.mask(`table "${context.table}": no answer from ${where} within ${context.timeoutMs / 1000} s, ${tries}`), {
      hint: 'raise timeout_seconds if the API is slow',
    });
  }
  return new WeirError('SOURCE_UNAVAILABLE', context.mask(`table "${context.table}": could not reach ${where} after ${tries}: ${failure.description}`), {
    hint: 'check the url, and that the API is up and reachable from this machine',
  });
}

/** The start of a body, on one line, for a message. */
export function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return line.length > BODY_EXCERPT ? `${line.slice(0, BODY_EXCERPT)}...` : line;
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
