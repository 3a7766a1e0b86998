/** How a recorded backfill's status is shown to people: `weir backfill ls|show` and the API. */
import { hostname } from 'node:os';
import { processAlive, type BackfillRecord } from '@weir/core';

/**
 * The backfill's status, with `interrupted` for one recorded as running whose process (on this
 * host) is gone: nothing will finish it until `weir backfill resume`.
 *
 * @example
 * ```ts
 * shownBackfillStatus(record); // 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'
 * ```
 */
export function shownBackfillStatus(record: BackfillRecord): BackfillRecord['status'] | 'interrupted' {
  if (record.status === 'running' && record.host === hostname() && !processAlive(record.pid)) return 'interrupted';
  return record.status;
}
