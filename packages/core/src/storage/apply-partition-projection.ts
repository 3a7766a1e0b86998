/**
 * The SQL of the partition and backfill projections (`events/project-partition-event.ts` decides
 * what changes). Few rows per run, so each write is its own statement: an upsert of one
 * partition row, or an insert or update of one backfill row.
 */
import type { Kysely } from 'kysely';
import type { PartitionProjectionWrite } from '../events/project-partition-event.js';
import type { StateTables } from './state-tables.js';

/** A write keyed by the row it touches, applied in order with the other projection writes. */
export interface PartitionRowUpdate {
  key: string;
  update(db: Kysely<StateTables>): Promise<void>;
}

/**
 * The statement of one partition or backfill write.
 *
 * @example
 * ```ts
 * await partitionOperation(write, eventId).update(trx);
 * ```
 */
export function partitionOperation(write: PartitionProjectionWrite, eventId: number): PartitionRowUpdate {
  switch (write.kind) {
    case 'upsert_partition': {
      const row = {
        asset: write.asset,
        version: write.version,
        partition: write.partition,
        status: write.status,
        run_id: write.runId,
        backfill_id: write.backfillId,
        rows: write.rows ?? null,
        detail: write.detail,
        updated_at: write.updatedAt,
        event_id: eventId,
      };
      return {
        key: `partition\0${write.asset}\0${write.version}\0${write.partition}`,
        update: async (db) => {
          await db
            .insertInto('partitions')
            .values(row)
            .onConflict((conflict) =>
              conflict.columns(['asset', 'version', 'partition']).doUpdateSet((eb) => ({
                status: eb.ref('excluded.status'),
                run_id: eb.ref('excluded.run_id'),
                backfill_id: eb.ref('excluded.backfill_id'),
                detail: eb.ref('excluded.detail'),
                updated_at: eb.ref('excluded.updated_at'),
                event_id: eb.ref('excluded.event_id'),
                // A failed rebuild leaves the published rows, and their count, as they were.
                ...(write.rows === undefined ? {} : { rows: eb.ref('excluded.rows') }),
              })),
            )
            .execute();
        },
      };
    }
    case 'insert_backfill': {
      const { backfill } = write;
      return {
        key: `backfill\0${backfill.backfillId}`,
        update: async (db) => {
          await db
            .insertInto('backfills')
            .values({
              backfill_id: backfill.backfillId,
              environment: backfill.environment,
              status: 'running',
              requested_at: backfill.requestedAt,
              updated_at: backfill.requestedAt,
              ended_at: null,
              pid: backfill.pid,
              host: backfill.host,
              spec: JSON.stringify(backfill.spec),
              summary: null,
              event_id: eventId,
            })
            .execute();
        },
      };
    }
    case 'set_backfill_status':
      return {
        key: `backfill\0${write.backfillId}`,
        update: async (db) => {
          let update = db
            .updateTable('backfills')
            .set({
              status: write.status,
              updated_at: write.updatedAt,
              ended_at: write.endedAt,
              ...(write.process === undefined ? {} : { pid: write.process.pid, host: write.process.host }),
              ...(write.summary === undefined ? {} : { summary: JSON.stringify(write.summary) }),
            })
            .where('backfill_id', '=', write.backfillId);
          // A finishing process does not undo a cancel (only a resume does).
          if (write.summary !== undefined) update = update.where('status', '<>', 'cancelled');
          await update.execute();
          if (write.summary !== undefined) {
            await db.updateTable('backfills').set({ summary: JSON.stringify(write.summary), ended_at: write.endedAt }).where('backfill_id', '=', write.backfillId).execute();
          }
        },
      };
  }
}
