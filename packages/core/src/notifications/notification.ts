/**
 * What a subscriber is told, and the subscriber interface. A notification is plain JSON data: the
 * webhook posts it as it is, and later subscribers (alerts, incidents) receive the same value.
 */
import type { NotificationEventKind } from '../events/notification-events.js';
import type { RecordedError, RunStatus } from '../events/weir-event.js';

/** A run ended (failed or succeeded; a cancelled run is someone's own doing and is not notified). */
export interface RunFinishedNotification {
  event: Extract<NotificationEventKind, 'run_failed' | 'run_succeeded'>;
  /** One line for people: chat webhooks (Slack, Mattermost) show `text` as the message. */
  text: string;
  project: string;
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  environment: string;
  command: string;
  startedAt: string;
  endedAt: string | null;
  /** Step outcomes by status (succeeded, failed, blocked, skipped, ..., warnings). */
  summary: Record<string, number>;
  /** Why the run failed outside any step, when it did. */
  detail?: string;
  /** Assets whose build failed, with the recorded error (file and line included where known). */
  failed: Array<{ asset: string; error: RecordedError | null }>;
  /** Assets built but held back (not published) because error checks failed, with those checks. */
  heldBack: Array<{ asset: string; failedChecks: Array<{ check: string; detail: string }> }>;
  /** Commands that show or redo the run. */
  hints: { show: string; retry?: string };
}

/** A backfill process finished its tasks (or stopped, cancelled). */
export interface BackfillFinishedNotification {
  event: 'backfill_finished';
  text: string;
  project: string;
  backfillId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  environment: string;
  selection: string[];
  from: string | null;
  to: string | null;
  /** Tasks (asset x partition) by status: done, failed, missing. */
  summary: Record<string, number>;
  hints: { show: string; retry?: string };
}

/** Anything a subscriber can be told. */
export type Notification = RunFinishedNotification | BackfillFinishedNotification;

/** How one delivery ended. */
export type DeliveryOutcome =
  | { delivered: true; statusCode: number; attempts: number }
  | { delivered: false; error: string; statusCode?: number; attempts: number };

/**
 * Something that is told about runs and backfills. `deliver` should resolve with the outcome
 * rather than reject (the dispatcher records a rejection as a failed delivery all the same), and
 * every text in the outcome must already be free of secrets: it goes to the event log as it is.
 *
 * @example
 * ```ts
 * const subscriber: NotificationSubscriber = {
 *   name: 'audit',
 *   target: 'stdout',
 *   deliver: async (notification) => (console.log(notification.text), { delivered: true, statusCode: 0, attempts: 1 }),
 * };
 * ```
 */
export interface NotificationSubscriber {
  /** The notification's name (in weir.yaml): deliveries are recorded under it. */
  readonly name: string;
  /** Where it delivers, safe to show (a webhook's URL as written, references unresolved). */
  readonly target: string;
  deliver(notification: Notification): Promise<DeliveryOutcome>;
}
