/**
 * Events of notifications (`notifications/`): each delivery of a notification to a subscriber is
 * recorded, whatever its outcome, so that `weir runs show` and the UI can say who was told. They
 * change no projection: they are read from the log by run (`events({ runId })`).
 */

/** What a notification can subscribe to; later issues (alerts, incidents) subscribe to the same. */
export const NOTIFICATION_EVENT_KINDS = ['run_failed', 'run_succeeded', 'backfill_finished'] as const;

/** One of {@link NOTIFICATION_EVENT_KINDS}. */
export type NotificationEventKind = (typeof NOTIFICATION_EVENT_KINDS)[number];

/** Fields both delivery events share. Exactly one of `runId` and `backfillId` is set. */
interface NotificationDeliveryBase {
  at: string;
  /** The notification's name in weir.yaml. */
  notification: string;
  event: NotificationEventKind;
  runId?: string;
  backfillId?: string;
  /** Where it was sent, as written in weir.yaml (`${VAR}` references unresolved). */
  target: string;
  /** Requests made, the first included. */
  attempts: number;
}

/** A subscriber accepted the notification (a webhook answered 2xx). */
export interface NotificationSentEvent extends NotificationDeliveryBase {
  type: 'notification_sent';
  statusCode: number;
}

/** A notification could not be delivered; the run or backfill it was about is unaffected. */
export interface NotificationFailedEvent extends NotificationDeliveryBase {
  type: 'notification_failed';
  /** Why, for people, with every secret masked. */
  error: string;
  /** The last HTTP status, when the hook answered at all. */
  statusCode?: number;
}

/** Every notification event. */
export type NotificationEvent = NotificationSentEvent | NotificationFailedEvent;
