/**
 * Writes the trigger state projection (`trigger_states`): one row per schedule or sensor, upserted
 * by the schedule and sensor events (`events/project-trigger-event.ts` says what each changes).
 */
import type { Insertable, Kysely } from 'kysely';
import type { UpsertTriggerStateWrite } from '../events/project-trigger-event.js';
import type { StateDialect } from './state-dialect.js';
import type { StateTables, TriggerStatesTable } from './state-tables.js';

type TriggerColumn = 'paused' | 'since' | 'last_tick' | 'cursor';

/**
 * Creates the trigger's row if it is missing, then overwrites only the columns the event sets.
 * Trigger events are rare (a tick, a moved cursor, a pause), so one statement each is enough.
 *
 * @example
 * ```ts
 * await upsertTriggerState(trx, { kind: 'upsert_trigger_state', trigger: 'schedule', name: 'nightly', set: { paused: true }, updatedAt }, 42, dialect);
 * ```
 */
export async function upsertTriggerState(db: Kysely<StateTables>, write: UpsertTriggerStateWrite, eventId: number, dialect: StateDialect): Promise<void> {
  const { set } = write;
  const row: Insertable<TriggerStatesTable> = {
    trigger: write.trigger,
    name: write.name,
    paused: set.paused === undefined ? null : dialect.boolean(set.paused),
    since: set.since ?? null,
    last_tick: set.lastTick ?? null,
    cursor: set.cursor === undefined ? null : JSON.stringify(set.cursor),
    updated_at: write.updatedAt,
    event_id: eventId,
  };
  const columns: TriggerColumn[] = [];
  if (set.paused !== undefined) columns.push('paused');
  if (set.since !== undefined) columns.push('since');
  if (set.lastTick !== undefined) columns.push('last_tick');
  if (set.cursor !== undefined) columns.push('cursor');
  await db
    .insertInto('trigger_states')
    .values(row)
    .onConflict((conflict) =>
      conflict.columns(['trigger', 'name']).doUpdateSet((eb) => {
        const update: Record<string, unknown> = { updated_at: eb.ref('excluded.updated_at'), event_id: eb.ref('excluded.event_id') };
        for (const column of columns) update[column] = eb.ref(`excluded.${column}`);
        return update;
      }),
    )
    .execute();
}
