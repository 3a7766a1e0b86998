/**
 * Translates the projection writes of `projectEvent` into SQL. The semantics (what an event
 * changes) live in `events/project-event.ts`; this file only knows the tables and how to write
 * many changes with few statements.
 *
 * Every write touches exactly one row, named by its key, and reads no other row, so writes to
 * different keys commute. That lets consecutive writes of one shape become one multi-row statement
 * while writes to a key already waiting are applied strictly after it.
 */
import type { Insertable, Kysely } from 'kysely';
import type {
  ProjectionWrite,
  SetPointerWrite,
  StepFields,
  UpsertStepWrite,
  UpsertVersionWrite,
} from '../events/project-event.js';
import { upsertTriggerState } from './apply-trigger-state.js';
import { applyApiTokenWrite } from './api-token-rows.js';
import { applyFeedbackWrite } from './feedback-rows.js';
import { partitionOperation } from './apply-partition-projection.js';
import type { BuildInsert, RowInserts } from './row-inserts.js';
import type { StateDialect } from './state-dialect.js';
import type {
  CheckResultsTable,
  MetricPointsTable,
  PointersTable,
  RunsTable,
  SpcRebaselinesTable,
  StateTables,
  StepsTable,
  VersionsTable,
} from './state-tables.js';

/** One projection write and the id of the event it comes from. */
export interface ProjectionEntry {
  write: ProjectionWrite;
  eventId: number;
}

type StepColumn = Exclude<keyof StepsTable, 'run_id' | 'asset' | 'event_id'>;

// A fixed order keeps the SQL text of equal-shaped upserts identical, so statements are reused.
const stepColumns: ReadonlyArray<readonly [keyof StepFields, StepColumn]> = [
  ['status', 'status'],
  ['version', 'version'],
  ['attempts', 'attempts'],
  ['startedAt', 'started_at'],
  ['endedAt', 'ended_at'],
  ['rows', 'rows'],
  ['durationMs', 'duration_ms'],
  ['skipReason', 'skip_reason'],
  ['detail', 'detail'],
  ['error', 'error'],
];

// Rows gathered before a group is written; RowInserts splits them into statements.
const rowsPerGroup = 512;

/** Rows of one shape waiting to be written together. */
interface RowGroup {
  rows: object[];
  build: BuildInsert<object>;
}

/** A write that inserts or upserts one row and can share a statement with writes of its shape. */
interface RowWrite {
  key: string;
  /** Equal shapes build equal SQL: same table, same columns, same conflict clause. */
  shape: string;
  row: object;
  build: BuildInsert<object>;
}

/** A write that updates one existing row in place. */
interface RowUpdate {
  key: string;
  update(db: Kysely<StateTables>): Promise<void>;
}

/**
 * Applies projection writes in order inside the caller's transaction, with as few statements as
 * the order allows.
 *
 * @example
 * ```ts
 * await applyProjectionWrites(trx, events.flatMap((event, i) =>
 *   projectEvent(event).map((write) => ({ write, eventId: firstId + i }))), dialect);
 * ```
 */
export async function applyProjectionWrites(
  db: Kysely<StateTables>,
  entries: Iterable<ProjectionEntry>,
  dialect: StateDialect,
  inserts: RowInserts,
): Promise<void> {
  const waiting = new Map<string, RowGroup>();
  const waitingKeys = new Set<string>();
  const flush = async (): Promise<void> => {
    for (const [shape, group] of waiting) await inserts.run(db, shape, group.rows, group.build);
    waiting.clear();
    waitingKeys.clear();
  };
  for (const { write, eventId } of entries) {
    const operation = toOperation(write, eventId, dialect);
    if (waitingKeys.has(operation.key)) await flush();
    if ('update' in operation) {
      await operation.update(db);
      continue;
    }
    waitingKeys.add(operation.key);
    let group = waiting.get(operation.shape);
    if (!group) {
      group = { rows: [], build: operation.build };
      waiting.set(operation.shape, group);
    }
    group.rows.push(operation.row);
    if (group.rows.length >= rowsPerGroup) {
      // Safe out of turn: every waiting write has its own key, so they commute.
      await inserts.run(db, operation.shape, group.rows, group.build);
      waiting.delete(operation.shape);
    }
  }
  await flush();
}

function toOperation(write: ProjectionWrite, eventId: number, dialect: StateDialect): RowWrite | RowUpdate {
  switch (write.kind) {
    case 'insert_run': {
      const { run } = write;
      const row: Insertable<RunsTable> = {
        run_id: run.runId,
        status: run.status,
        environment: run.environment,
        command: run.command,
        started_at: run.startedAt,
        ended_at: null,
        pid: run.pid,
        host: run.host,
        retry_of: run.retryOf,
        selection: JSON.stringify(run.selection),
        summary: '{}',
        detail: null,
        event_id: eventId,
      };
      // A second run_started for the same id violates the key and fails the caller's batch.
      return { key: `run\0${run.runId}`, shape: 'insert_run', row, build: insertRuns };
    }
    case 'finish_run':
      return {
        key: `run\0${write.runId}`,
        update: async (db) => {
          await db
            .updateTable('runs')
            .set({ status: write.status, summary: JSON.stringify(write.summary), ended_at: write.endedAt, detail: write.detail })
            .where('run_id', '=', write.runId)
            .execute();
        },
      };
    case 'upsert_step':
      return stepOperation(write, eventId);
    case 'upsert_version':
      return { key: versionKey(write.version), shape: 'upsert_version', row: versionRow(write, eventId), build: upsertVersions };
    case 'set_version_status':
      return {
        key: versionKey(write),
        update: async (db) => {
          await db
            .updateTable('versions')
            .set({ status: write.status })
            .where('asset', '=', write.asset)
            .where('version', '=', write.version)
            .execute();
        },
      };
    case 'set_pointer':
      return { key: pointerKey(write), shape: 'set_pointer', row: pointerRow(write, dialect), build: upsertPointers };
    case 'set_pinned':
      return {
        key: pointerKey(write),
        update: async (db) => {
          await db
            .updateTable('pointers')
            .set({ pinned: dialect.boolean(write.pinned) })
            .where('environment', '=', write.environment)
            .where('asset', '=', write.asset)
            .execute();
        },
      };
    case 'insert_check_result': {
      const { result } = write;
      const row: Insertable<CheckResultsTable> = {
        event_id: eventId,
        run_id: result.runId,
        asset: result.asset,
        version: result.version,
        check_name: result.check,
        check_type: result.checkType,
        severity: result.severity,
        passed: dialect.boolean(result.passed),
        failing_rows: result.failingRows,
        detail: result.detail,
        evaluated_at: result.evaluatedAt,
      };
      return { key: `check\0${eventId}`, shape: 'insert_check_result', row, build: insertCheckResults };
    }
    case 'insert_metric_point': {
      const { point } = write;
      const row: Insertable<MetricPointsTable> = {
        event_id: eventId,
        run_id: point.runId,
        asset: point.asset,
        version: point.version,
        partition: point.partition,
        metric: point.metric,
        column_name: point.column ?? '',
        value: point.value,
        anomalous: dialect.boolean(point.anomalous),
        measured_at: point.measuredAt,
      };
      return {
        key: `metric\0${eventId}\0${point.metric}\0${row.column_name}`,
        shape: 'insert_metric_point',
        row,
        build: insertMetricPoints,
      };
    }
    case 'insert_spc_rebaseline': {
      const row: Insertable<SpcRebaselinesTable> = {
        event_id: eventId,
        asset: write.asset,
        metric: write.metric,
        column_name: write.column ?? '',
        rebaselined_at: write.rebaselinedAt,
      };
      return { key: `rebaseline\0${eventId}`, shape: 'insert_spc_rebaseline', row, build: insertSpcRebaselines };
    }
    case 'upsert_trigger_state':
      return { key: `trigger\0${write.trigger}\0${write.name}`, update: (db) => upsertTriggerState(db, write, eventId, dialect) };
    case 'insert_api_token':
    case 'revoke_api_token':
      // Keyed by name: a revocation waits for the creation before it in the same batch.
      return { key: `api_token\0${write.name}`, update: (db) => applyApiTokenWrite(db, write, eventId) };
    case 'insert_feedback':
    case 'set_feedback_status':
      // Keyed by id: a status change waits for the submission before it in the same batch.
      return { key: `feedback\0${write.feedbackId}`, update: (db) => applyFeedbackWrite(db, write, eventId) };
    case 'upsert_partition':
    case 'insert_backfill':
    case 'set_backfill_status':
      return partitionOperation(write, eventId);
    default:
      throw new TypeError(`unknown projection write ${JSON.stringify((write as { kind?: unknown }).kind)}`);
  }
}

function stepOperation(write: UpsertStepWrite, eventId: number): RowWrite {
  const setIfNull = write.setIfNull ?? {};
  const row: Record<string, unknown> = { run_id: write.runId, asset: write.asset, status: 'pending', attempts: 0, event_id: eventId };
  const overwrite: StepColumn[] = [];
  const fillIn: StepColumn[] = [];
  for (const [field, column] of stepColumns) {
    const source = field in write.set ? write.set : field in setIfNull ? setIfNull : undefined;
    if (source === undefined) continue;
    const value = source[field];
    row[column] = column === 'error' ? (value == null ? null : JSON.stringify(value)) : (value ?? null);
    (source === write.set ? overwrite : fillIn).push(column);
  }
  return {
    key: `step\0${write.runId}\0${write.asset}`,
    shape: `upsert_step:${overwrite.join(',')}:${fillIn.join(',')}`,
    row,
    build: (db, rows) =>
      db
        .insertInto('steps')
        .values(rows as Array<Insertable<StepsTable>>)
        .onConflict((conflict) => {
          const target = conflict.columns(['run_id', 'asset']);
          if (overwrite.length === 0 && fillIn.length === 0) return target.doNothing();
          return target.doUpdateSet((eb) => {
            const update: Record<string, unknown> = {};
            for (const column of overwrite) update[column] = eb.ref(`excluded.${column}`);
            // setIfNull: the row's own value wins once it has one (a retried step keeps its first start).
            for (const column of fillIn) update[column] = eb.fn.coalesce(`steps.${column}`, `excluded.${column}`);
            return update;
          });
        }),
  };
}

function versionRow(write: UpsertVersionWrite, eventId: number): Insertable<VersionsTable> {
  const { version } = write;
  return {
    asset: version.asset,
    version: version.version,
    physical_schema: version.physicalSchema,
    physical_name: version.physicalName,
    materialization: version.materialization,
    status: version.status,
    rows: version.rows,
    created_at: version.createdAt,
    created_by_run: version.createdByRun,
    based_on: version.basedOn,
    event_id: eventId,
  };
}

function pointerRow(write: SetPointerWrite, dialect: StateDialect): Insertable<PointersTable> {
  return {
    environment: write.environment,
    asset: write.asset,
    version: write.version,
    published_at: write.publishedAt,
    pinned: dialect.boolean(false),
  };
}

function insertRuns(db: Kysely<StateTables>, rows: object[]) {
  return db.insertInto('runs').values(rows as Array<Insertable<RunsTable>>);
}

function insertCheckResults(db: Kysely<StateTables>, rows: object[]) {
  return db.insertInto('check_results').values(rows as Array<Insertable<CheckResultsTable>>);
}

function insertMetricPoints(db: Kysely<StateTables>, rows: object[]) {
  return db.insertInto('metric_points').values(rows as Array<Insertable<MetricPointsTable>>);
}

function insertSpcRebaselines(db: Kysely<StateTables>, rows: object[]) {
  return db.insertInto('spc_rebaselines').values(rows as Array<Insertable<SpcRebaselinesTable>>);
}

function upsertVersions(db: Kysely<StateTables>, rows: object[]) {
  // Building a version already recorded (after a drop, or forced) is a new physical table: the
  // whole row is replaced.
  return db
    .insertInto('versions')
    .values(rows as Array<Insertable<VersionsTable>>)
    .onConflict((conflict) =>
      conflict.columns(['asset', 'version']).doUpdateSet((eb) => ({
        physical_schema: eb.ref('excluded.physical_schema'),
        physical_name: eb.ref('excluded.physical_name'),
        materialization: eb.ref('excluded.materialization'),
        status: eb.ref('excluded.status'),
        rows: eb.ref('excluded.rows'),
        created_at: eb.ref('excluded.created_at'),
        created_by_run: eb.ref('excluded.created_by_run'),
        based_on: eb.ref('excluded.based_on'),
        event_id: eb.ref('excluded.event_id'),
      })),
    );
}

function upsertPointers(db: Kysely<StateTables>, rows: object[]) {
  // A moved pointer keeps its pin: pinning is the planner's rule, the log records what happened.
  return db
    .insertInto('pointers')
    .values(rows as Array<Insertable<PointersTable>>)
    .onConflict((conflict) =>
      conflict.columns(['environment', 'asset']).doUpdateSet((eb) => ({
        version: eb.ref('excluded.version'),
        published_at: eb.ref('excluded.published_at'),
      })),
    );
}

function versionKey(write: { asset: string; version: string }): string {
  return `version\0${write.asset}\0${write.version}`;
}

function pointerKey(write: { environment: string; asset: string }): string {
  return `pointer\0${write.environment}\0${write.asset}`;
}
