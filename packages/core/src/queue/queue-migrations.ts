/**
 * Creates and upgrades the queue's tables. They live beside the state store's tables (same SQLite
 * file, same PostgreSQL schema) but have their own `queue_schema_version`, so the queue and the
 * event log evolve independently. The upgrade runs in one write transaction (on PostgreSQL under
 * an advisory lock), so two processes opening a new database at once do not race.
 */
import { sql, type Kysely } from 'kysely';
import { WeirError } from '../errors/weir-error.js';
import { runMigrations } from '../storage/run-migrations.js';
import type { QueueDialect } from './queue-dialect.js';
import type { QueueTables } from './queue-tables.js';

type Migration = (db: Kysely<QueueTables>, dialect: QueueDialect) => Promise<void>;

// Append only: a released migration is never edited, a change is a new entry.
const migrations: readonly Migration[] = [createQueueTables];

/** The queue schema version this code writes. */
export const queueSchemaVersion = migrations.length;

/**
 * Brings the queue's tables up to {@link queueSchemaVersion}; refuses tables written by a newer Weir.
 *
 * @example
 * ```ts
 * await migrateQueueTables(db, dialect);
 * ```
 */
export async function migrateQueueTables(db: Kysely<QueueTables>, dialect: QueueDialect): Promise<void> {
  await runMigrations(db, {
    exclusive: (work) => dialect.exclusive(work),
    beginWrite: (connection) => dialect.beginWrite(connection),
    prepare: async (connection) => {
      await dialect.lockLimits(connection);
      await dialect.prepare(connection);
    },
    versionTable: 'queue_schema_version',
    versionType: 'integer',
    migrations: migrations.map((migration) => (connection: Kysely<QueueTables>) => migration(connection, dialect)),
    tooNew: (current, known) =>
      new WeirError('STATE_UNAVAILABLE', `the ${dialect.description} has queue schema version ${current}; this Weir knows up to ${known}`, {
        hint: 'upgrade Weir on this machine to the version the other workers and weir serve run',
      }),
  });
}

async function createQueueTables(db: Kysely<QueueTables>, dialect: QueueDialect): Promise<void> {
  const bigint = dialect.name === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('queue_jobs')
    .addColumn('id', dialect.name === 'postgres' ? 'bigserial' : 'integer', (column) =>
      dialect.name === 'postgres' ? column.primaryKey() : column.primaryKey().autoIncrement(),
    )
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('priority', 'integer', (column) => column.notNull())
    .addColumn('pool', 'text')
    .addColumn('dedupe_key', 'text')
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('max_attempts', 'integer', (column) => column.notNull())
    .addColumn('claims', 'integer', (column) => column.notNull())
    .addColumn('timeout_ms', bigint)
    .addColumn('run_after', bigint, (column) => column.notNull())
    .addColumn('created_at', bigint, (column) => column.notNull())
    .addColumn('ready_at', bigint, (column) => column.notNull())
    .addColumn('worker_id', 'text')
    .addColumn('started_at', bigint)
    .addColumn('lease_expires_at', bigint)
    .addColumn('finished_at', bigint)
    .addColumn('cancel_requested', 'integer', (column) => column.notNull())
    .addColumn('result', 'text')
    .addColumn('last_error', 'text')
    .execute();
  // Partial: jobs without a key (most steps) cost this index nothing on insert or update.
  await db.schema
    .createIndex('queue_jobs_dedupe')
    .on('queue_jobs')
    .column('dedupe_key')
    .unique()
    .where(sql.ref('dedupe_key'), 'is not', null)
    .execute();
  // What a claim reads: ready jobs in claim order. Partial, so finished jobs cost claims nothing.
  await db.schema
    .createIndex('queue_jobs_ready')
    .on('queue_jobs')
    .columns(['priority desc', 'id'])
    .where(sql.ref('state'), '=', 'ready')
    .execute();
  // Running jobs: pool counts, heartbeats, reclaiming expired leases. Every index is written on
  // each claim and completion (they change `state`), so there are no others: listing and counting
  // by kind or key prefix scan the table, which progress displays do rarely.
  await db.schema
    .createIndex('queue_jobs_running')
    .on('queue_jobs')
    .columns(['worker_id', 'pool'])
    .where(sql.ref('state'), '=', 'running')
    .execute();

  await db.schema
    .createTable('queue_limits')
    .addColumn('limit_key', 'text', (column) => column.primaryKey())
    .addColumn('max_running', 'integer', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('queue_settings')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('queue_workers')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('pid', 'integer', (column) => column.notNull())
    .addColumn('project_version', 'text', (column) => column.notNull())
    .addColumn('registered_at', bigint, (column) => column.notNull())
    .addColumn('heartbeat_at', bigint, (column) => column.notNull())
    .addColumn('stopped_at', bigint)
    .execute();
}
