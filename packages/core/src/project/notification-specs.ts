/**
 * Notifications as the loaded project holds them (declared in weir.yaml under `notifications:`).
 * Inert data: `notifications/` decides when they are sent and sends them.
 */
import type { SourceLocation } from '../errors/weir-error.js';
import type { NotificationEventKind } from '../events/notification-events.js';
import type { TriggerSelection } from './trigger-specs.js';

/**
 * Where a webhook posts, resolved from the environment once, at load. The resolved `url` and
 * `headers` are for the request only: every text that leaves Weir shows `shownUrl` and goes
 * through a mask of `secrets`. A variable that is not set does not stop the project from loading
 * (a laptop without the team's hook token still runs): it is listed in `missing`, and each
 * delivery is recorded as failed, naming it.
 */
export interface WebhookTarget {
  /** The URL with its `${VAR}` references resolved. */
  url: string;
  /** Header names as written, values resolved. */
  headers: Record<string, string>;
  /** The URL as written in weir.yaml, references unresolved: what messages and the event log show. */
  shownUrl: string;
  /** Texts never to show: values that came from the environment, and header values. Longest first. */
  secrets: string[];
  /** Environment variables referred to but not set: the webhook cannot be delivered. */
  missing: string[];
}

/** One entry of `notifications:`. */
export interface NotificationSpec {
  /** Unique among the notifications (ignoring case). */
  name: string;
  /** The events it is sent for (`[run_failed]` when not written). */
  on: NotificationEventKind[];
  webhook: WebhookTarget;
  /** Only runs and backfills that touched one of these assets; absent: every one. */
  selection?: TriggerSelection;
  /** Where the entry starts in weir.yaml. */
  location: SourceLocation;
  /** Where each selector was written (`select[0]`, ...), for selection problems found later. */
  fieldLocations: Record<string, SourceLocation>;
}
