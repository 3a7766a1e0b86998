/**
 * Creates and upgrades the state tables. Migrations are numbered; `schema_version` records the ones
 * applied. The whole upgrade runs in one transaction holding the dialect's writer lock, so two
 * processes opening a new database at once do not race: the second waits, then finds nothing to do.
 */
import { sql, type Kysely } from 'kysely';
import { WeirError } from '../errors/weir-error.js';
import type { StateColumnTypes, StateDialect } from './state-dialect.js';
import type { StateTables } from './state-tables.js';
import { runMigrations } from './run-migrations.js';

type Migration = (db: Kysely<StateTables>, types: StateColumnTypes) => Promise<void>;

// Append only: a released migration is never edited, a change is a new entry.
const migrations: readonly Migration[] = [createInitialTables, createMetricTables, createPartitionTables, createTriggerStateTable, createApiTokenTable, createFeedbackTable];

/** The schema version this code writes. */
export const stateSchemaVersion = migrations.length;

/**
 * Brings the state database up to {@link stateSchemaVersion}. Refuses a database written by a newer
 * Weir rather than writing rows it does not understand.
 *
 * @example
 * ```ts
 * await migrateStateDatabase(db, sqliteStateDialect(file));
 * ```
 */
export async function migrateStateDatabase(db: Kysely<StateTables>, dialect: StateDialect): Promise<void> {
  await runMigrations(db, {
    exclusive: (work) => dialect.exclusive(work),
    beginWrite: (connection) => dialect.beginWrite(connection),
    prepare: (connection) => dialect.prepare(connection),
    versionTable: 'schema_version',
    versionType: dialect.columnTypes.integer,
    migrations: migrations.map((migration) => (connection: Kysely<StateTables>) => migration(connection, dialect.columnTypes)),
    tooNew: (current, known) =>
      new WeirError('STATE_UNAVAILABLE', `${dialect.description} has schema version ${current}; this Weir knows up to ${known}`, {
        hint: 'upgrade Weir, or point it at another state database',
      }),
  });
}

async function createInitialTables(db: Kysely<StateTables>, types: StateColumnTypes): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', types.bigint, (column) => column.primaryKey())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text')
    .addColumn('asset', 'text')
    .addColumn('at', types.time, (column) => column.notNull())
    .addColumn('payload', types.json, (column) => column.notNull())
    .execute();
  await db.schema.createIndex('events_by_run').on('events').columns(['run_id', 'id']).execute();
  await db.schema.createIndex('events_by_asset').on('events').columns(['asset', 'id']).execute();

  await db.schema
    .createTable('runs')
    .addColumn('run_id', 'text', (column) => column.primaryKey())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('command', 'text', (column) => column.notNull())
    .addColumn('started_at', types.time, (column) => column.notNull())
    .addColumn('ended_at', types.time)
    .addColumn('pid', types.bigint, (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('retry_of', 'text')
    .addColumn('selection', types.json, (column) => column.notNull())
    .addColumn('summary', types.json, (column) => column.notNull())
    .addColumn('detail', 'text')
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .execute();
  await db.schema.createIndex('runs_by_start').on('runs').columns(['started_at', 'event_id']).execute();

  await db.schema
    .createTable('steps')
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('asset', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('version', 'text')
    .addColumn('attempts', types.integer, (column) => column.notNull())
    .addColumn('started_at', types.time)
    .addColumn('ended_at', types.time)
    .addColumn('rows', types.bigint)
    .addColumn('duration_ms', types.bigint)
    .addColumn('skip_reason', 'text')
    .addColumn('detail', 'text')
    .addColumn('error', types.json)
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .addPrimaryKeyConstraint('steps_pk', ['run_id', 'asset'])
    .execute();

  await db.schema
    .createTable('versions')
    .addColumn('asset', 'text', (column) => column.notNull())
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('physical_schema', 'text', (column) => column.notNull())
    .addColumn('physical_name', 'text', (column) => column.notNull())
    .addColumn('materialization', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('rows', types.bigint)
    .addColumn('created_at', types.time, (column) => column.notNull())
    .addColumn('created_by_run', 'text', (column) => column.notNull())
    .addColumn('based_on', 'text')
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .addPrimaryKeyConstraint('versions_pk', ['asset', 'version'])
    .execute();
  await db.schema.createIndex('versions_by_creation').on('versions').columns(['created_at', 'event_id']).execute();

  await db.schema
    .createTable('pointers')
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('asset', 'text', (column) => column.notNull())
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('published_at', types.time, (column) => column.notNull())
    .addColumn('pinned', types.boolean, (column) => column.notNull())
    .addPrimaryKeyConstraint('pointers_pk', ['environment', 'asset'])
    .execute();

  await db.schema
    .createTable('check_results')
    .addColumn('event_id', types.bigint, (column) => column.primaryKey())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('asset', 'text', (column) => column.notNull())
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('check_name', 'text', (column) => column.notNull())
    .addColumn('check_type', 'text', (column) => column.notNull())
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('passed', types.boolean, (column) => column.notNull())
    .addColumn('failing_rows', types.bigint)
    .addColumn('detail', 'text', (column) => column.notNull())
    .addColumn('evaluated_at', types.time, (column) => column.notNull())
    .execute();
  await db.schema.createIndex('check_results_by_run').on('check_results').columns(['run_id']).execute();
  await db.schema
    .createIndex('check_results_by_asset')
    .on('check_results')
    .columns(['asset', 'version', 'evaluated_at'])
    .execute();
}

/** Version 2: the SPC series (`metrics_measured`) and deliberate rebaselines (`spc_rebaselined`). */
async function createMetricTables(db: Kysely<StateTables>, types: StateColumnTypes): Promise<void> {
  await db.schema
    .createTable('metric_points')
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .addColumn('run_id', 'text')
    .addColumn('asset', 'text', (column) => column.notNull())
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('partition', 'text')
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('column_name', 'text', (column) => column.notNull())
    .addColumn('value', types.double)
    .addColumn('anomalous', types.boolean, (column) => column.notNull())
    .addColumn('measured_at', types.time, (column) => column.notNull())
    .addPrimaryKeyConstraint('metric_points_pk', ['event_id', 'metric', 'column_name'])
    .execute();
  // One series is one index range, in log order, whether or not it is partitioned (`partition
  // is null` is an index lookup on both databases): the newest N points are read backwards from
  // its end without a sort.
  await db.schema
    .createIndex('metric_points_by_series')
    .on('metric_points')
    .columns(['asset', 'metric', 'column_name', 'partition', 'event_id'])
    .execute();

  await db.schema
    .createTable('spc_rebaselines')
    .addColumn('event_id', types.bigint, (column) => column.primaryKey())
    .addColumn('asset', 'text', (column) => column.notNull())
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('column_name', 'text', (column) => column.notNull())
    .addColumn('rebaselined_at', types.time, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('spc_rebaselines_by_series')
    .on('spc_rebaselines')
    .columns(['asset', 'metric', 'column_name', 'event_id'])
    .execute();
}

/** Version 3: partitions of partitioned assets (`partition_*`) and backfills (`backfill_*`). */
async function createPartitionTables(db: Kysely<StateTables>, types: StateColumnTypes): Promise<void> {
  await db.schema
    .createTable('partitions')
    .addColumn('asset', 'text', (column) => column.notNull())
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('partition', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('backfill_id', 'text')
    .addColumn('rows', types.bigint)
    .addColumn('detail', 'text')
    .addColumn('updated_at', types.time, (column) => column.notNull())
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .addPrimaryKeyConstraint('partitions_pk', ['asset', 'version', 'partition'])
    .execute();
  await db.schema
    .createTable('backfills')
    .addColumn('backfill_id', 'text', (column) => column.primaryKey())
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('requested_at', types.time, (column) => column.notNull())
    .addColumn('updated_at', types.time, (column) => column.notNull())
    .addColumn('ended_at', types.time)
    .addColumn('pid', types.bigint, (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('spec', types.json, (column) => column.notNull())
    .addColumn('summary', types.json)
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .execute();
}

/** Version 4: the state of schedules and sensors (`schedule_*`, `sensor_evaluated`, `trigger_*` events). */
async function createTriggerStateTable(db: Kysely<StateTables>, types: StateColumnTypes): Promise<void> {
  await db.schema
    .createTable('trigger_states')
    .addColumn('trigger', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('paused', types.boolean)
    .addColumn('since', types.time)
    .addColumn('last_tick', types.time)
    .addColumn('cursor', types.json)
    .addColumn('updated_at', types.time, (column) => column.notNull())
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .addPrimaryKeyConstraint('trigger_states_pk', ['trigger', 'name'])
    .execute();
}

/** Version 5: API tokens of `weir serve` (`api_token_created`, `api_token_revoked`), by hash. */
async function createApiTokenTable(db: Kysely<StateTables>, types: StateColumnTypes): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('token_hash', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('created_at', types.time, (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('revoked_at', types.time)
    .addColumn('revoked_by', 'text')
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .execute();
  // A name opens at most one active token: two concurrent creates of one name cannot both land.
  await db.schema
    .createIndex('api_tokens_active_name')
    .on('api_tokens')
    .column('name')
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
}

/** Version 6: consumer feedback on assets (`feedback_submitted`, `feedback_status_changed`). */
async function createFeedbackTable(db: Kysely<StateTables>, types: StateColumnTypes): Promise<void> {
  await db.schema
    .createTable('feedback')
    .addColumn('feedback_id', 'text', (column) => column.primaryKey())
    .addColumn('asset', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('rating', types.integer)
    .addColumn('text', 'text', (column) => column.notNull())
    .addColumn('author', 'text')
    .addColumn('status', 'text')
    .addColumn('status_note', 'text')
    .addColumn('status_by', 'text')
    .addColumn('status_at', types.time)
    .addColumn('created_at', types.time, (column) => column.notNull())
    .addColumn('event_id', types.bigint, (column) => column.notNull())
    .execute();
  // The asset page reads one asset's feedback newest first; the overview reads the open reports.
  await db.schema.createIndex('feedback_by_asset').on('feedback').columns(['asset', 'event_id']).execute();
  await db.schema.createIndex('feedback_by_status').on('feedback').columns(['status', 'event_id']).execute();
}
