/**
 * Notifications as the loaded project holds them (declared in weir.yaml under `notifications:`).
 * Inert data: `notifications/` decides when they are sent and sends them.
 */
import type { OutboundTarget } from './outbound-target.js';
import type { SourceLocation } from '../errors/weir-error.js';
import type { NotificationEventKind } from '../events/notification-events.js';
import type { TriggerSelection } from './trigger-specs.js';

/** Where a notification is posted: see {@link OutboundTarget}. */
export type WebhookTarget = OutboundTarget;

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
