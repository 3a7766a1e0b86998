/** Turns `trigger_states` rows of either database into {@link TriggerStateRecord}s. */
import type { Selectable } from 'kysely';
import type { TriggerKind } from '../events/trigger-events.js';
import { readBoolean, readJson, readNullableTime, readNumber, readTime } from './state-rows.js';
import type { TriggerStateRecord } from './state-store.js';
import type { TriggerStatesTable } from './state-tables.js';

/**
 * One trigger state row as a record.
 *
 * @example
 * ```ts
 * const states = (await db.selectFrom('trigger_states').selectAll().execute()).map(toTriggerStateRecord);
 * ```
 */
export function toTriggerStateRecord(row: Selectable<TriggerStatesTable>): TriggerStateRecord {
  return {
    trigger: row.trigger as TriggerKind,
    name: row.name,
    paused: row.paused === null ? null : readBoolean(row.paused),
    since: readNullableTime(row.since),
    lastTick: readNullableTime(row.last_tick),
    cursor: row.cursor === null ? null : readJson<unknown>(row.cursor),
    updatedAt: readTime(row.updated_at),
    eventId: readNumber(row.event_id),
  };
}
