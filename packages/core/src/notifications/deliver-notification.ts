/**
 * Delivering one notification to its subscribers and recording each delivery in the event log
 * (`notification_sent` / `notification_failed`). Never throws: whatever a subscriber or the store
 * does, the run or backfill the notification is about has already ended and stays as it ended.
 */
import { messageOf } from '../errors/weir-error.js';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import type { StateStore } from '../storage/state-store.js';
import type { DeliveryOutcome, Notification, NotificationSubscriber } from './notification.js';

/** One delivery as it ended. */
export interface NotificationDelivery {
  subscriber: string;
  outcome: DeliveryOutcome;
}

/**
 * Delivers `notification` to every subscriber at once and records each outcome.
 *
 * @example
 * ```ts
 * const deliveries = await deliverNotification(notification, [new WebhookSubscriber('team', webhook)], store);
 * ```
 */
export async function deliverNotification(notification: Notification, subscribers: readonly NotificationSubscriber[], store: StateStore): Promise<NotificationDelivery[]> {
  return Promise.all(
    subscribers.map(async (subscriber): Promise<NotificationDelivery> => {
      let outcome: DeliveryOutcome;
      try {
        outcome = await subscriber.deliver(notification);
      } catch (error) {
        outcome = { delivered: false, error: `the subscriber failed: ${messageOf(error)}`, attempts: 1 };
      }
      try {
        await store.append([deliveryEvent(notification, subscriber, outcome)]);
      } catch {
        // The store is gone (closed, unreachable): the delivery happened or not all the same, and
        // the run's own events are already durable. Nothing here may fail the run.
      }
      return { subscriber: subscriber.name, outcome };
    }),
  );
}

function deliveryEvent(notification: Notification, subscriber: NotificationSubscriber, outcome: DeliveryOutcome): WeirEvent {
  const about = notification.event === 'backfill_finished' ? { backfillId: notification.backfillId } : { runId: notification.runId };
  const base = { at: eventTime(), notification: subscriber.name, event: notification.event, ...about, target: subscriber.target, attempts: outcome.attempts };
  return outcome.delivered
    ? { type: 'notification_sent', ...base, statusCode: outcome.statusCode }
    : { type: 'notification_failed', ...base, error: outcome.error, ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }) };
}
