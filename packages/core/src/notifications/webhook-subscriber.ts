/**
 * The webhook subscriber: POSTs a notification as JSON, each attempt timed out, retried with
 * exponential backoff on network errors, timeouts, 408, 429 and 5xx (the hook's `Retry-After`
 * honoured up to a bound), at most a few times. It never throws: how a delivery ended is its
 * result, so a run's outcome never depends on a hook. Every text it returns is masked.
 */
import { backoffDelay, excerpt, parseRetryAfter, sleep } from '../connectors/http/http-retry.js';
import { messageOf } from '../errors/weir-error.js';
import { formatWait, maskTargetText } from '../project/outbound-target.js';
import type { WebhookTarget } from '../project/notification-specs.js';
import type { DeliveryOutcome, Notification, NotificationSubscriber } from './notification.js';

/** How patiently a webhook is delivered. `attempts` counts the first request. */
export interface WebhookPolicy {
  attempts: number;
  /** Per attempt, the answer's body included. */
  timeoutMs: number;
  initialDelayMs: number;
  /** The longest wait between attempts; a `Retry-After` asking for more ends the delivery. */
  maxDelayMs: number;
}

/**
 * Three attempts of 10 s at most, 0.5 s then 1 s apart (with jitter): a run waits at most about
 * 40 s for a hook that never answers, and a hook that is merely restarting gets the message.
 */
export const WEBHOOK_POLICY: WebhookPolicy = { attempts: 3, timeoutMs: 10_000, initialDelayMs: 500, maxDelayMs: 10_000 };

type Failure = { retry: boolean; error: string; statusCode?: number; retryAfterMs?: number };

/**
 * A subscriber that POSTs each notification to `target`.
 *
 * @example
 * ```ts
 * const hook = new WebhookSubscriber('team_webhook', project.notifications[0].webhook);
 * const outcome = await hook.deliver(notification); // { delivered: true, statusCode: 200, attempts: 1 }
 * ```
 */
export class WebhookSubscriber implements NotificationSubscriber {
  readonly target: string;

  constructor(
    readonly name: string,
    private readonly webhook: WebhookTarget,
    private readonly policy: WebhookPolicy = WEBHOOK_POLICY,
  ) {
    this.target = webhook.shownUrl;
  }

  async deliver(notification: Notification): Promise<DeliveryOutcome> {
    const { missing } = this.webhook;
    if (missing.length > 0) {
      const names = missing.map((name) => `"${name}"`).join(', ');
      return { delivered: false, attempts: 0, error: `not sent: environment variable${missing.length === 1 ? '' : 's'} ${names} ${missing.length === 1 ? 'is' : 'are'} not set where weir ran` };
    }
    const body = JSON.stringify(notification);
    const { policy } = this;
    for (let attempt = 1; ; attempt++) {
      const failure = await this.attempt(body);
      if (typeof failure === 'number') return { delivered: true, statusCode: failure, attempts: attempt };
      const ended = (error: string): DeliveryOutcome => ({
        delivered: false,
        error: this.mask(error),
        attempts: attempt,
        ...(failure.statusCode === undefined ? {} : { statusCode: failure.statusCode }),
      });
      if (!failure.retry) return ended(failure.error);
      if (attempt >= policy.attempts) return ended(`${failure.error} (${attempt === 1 ? '1 attempt' : `${attempt} attempts`})`);
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxDelayMs) {
        // Asking earlier than the hook said would only earn another refusal.
        return ended(`${failure.error}, and the hook asks to wait ${formatWait(failure.retryAfterMs)} (Retry-After), longer than a notification waits (${formatWait(policy.maxDelayMs)})`);
      }
      await sleep(failure.retryAfterMs ?? backoffDelay(attempt, policy));
    }
  }

  /** One POST: the 2xx status, or why it failed and whether asking again may help. */
  private async attempt(body: string): Promise<number | Failure> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'weir', ...this.webhook.headers },
        body,
        // A redirect would turn the POST into a GET without the notification: report it instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.policy.timeoutMs),
      });
      // Read inside the attempt: the timeout covers the body, and the connection is released.
      text = await response.text();
    } catch (error) {
      return networkFailure(error, this.webhook.shownUrl, this.policy.timeoutMs);
    }
    const status = response.status;
    if (status >= 200 && status < 300) return status;
    const failure: Failure = { retry: status === 408 || status === 429 || status >= 500, statusCode: status, error: `HTTP ${status} ${response.statusText} from ${this.webhook.shownUrl}: ${excerpt(text)}` };
    if (status >= 300 && status < 400) failure.error = `HTTP ${status} from ${this.webhook.shownUrl}: the hook redirects, and a notification is not sent on (point the url at where it redirects)`;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (failure.retry && retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
    return failure;
  }

  /** The resolved URL shown as written, then every secret replaced by `***`. */
  private mask(text: string): string {
    return maskTargetText(this.webhook, text);
  }

}

function networkFailure(error: unknown, shownUrl: string, timeoutMs: number): Failure {
  if (error instanceof Error && error.name === 'TimeoutError') return { retry: true, error: `no answer from ${shownUrl} within ${formatWait(timeoutMs)}` };
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (cause === undefined) {
    // No network cause: the request could not even be built (a header fetch refuses, ...).
    return { retry: false, error: `could not send to ${shownUrl}: ${messageOf(error)}` };
  }
  if (cause instanceof Error && cause.message === 'bad port') {
    return { retry: false, error: `could not send to ${shownUrl}: fetch refuses to connect to this port (the Fetch standard blocks it)` };
  }
  return { retry: true, error: `could not reach ${shownUrl}: ${describeCause(cause)}` };
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && !cause.message.includes(code)) return cause.message === '' ? code : `${cause.message} (${code})`;
  return cause.message;
}
