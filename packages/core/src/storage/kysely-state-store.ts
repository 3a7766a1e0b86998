/**
 * The {@link StateStore} written once over Kysely for every database: the event log, the
 * projections applied in the same transaction, group commit, and the reads. A {@link StateDialect}
 * supplies what differs (column types, the writer lock, which errors mean "unreachable").
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import { isWeirError, messageOf, WeirError } from '../errors/weir-error.js';
import { projectEvent, type ProjectedVersionStatus, type ProjectionWrite } from '../events/project-event.js';
import type { RunStatus, StoredEvent, WeirEvent } from '../events/weir-event.js';
import type { TriggerKind } from '../events/trigger-events.js';
import { applyProjectionWrites } from './apply-projection.js';
import { GroupCommitQueue, type ItemOutcome } from './group-commit.js';
import { RowInserts } from './row-inserts.js';
import type { StateDialect } from './state-dialect.js';
import { migrateStateDatabase } from './state-migrations.js';
import {
  readNumber,
  readTime,
  toCheckResultRecord,
  toLatestMetricRecord,
  toMetricPointRecord,
  toPointerRecord,
  toRunRecord,
  toStepRecord,
  toStoredEvent,
  toVersionRecord,
} from './state-rows.js';
import type {
  CheckResultQuery,
  CheckResultRecord,
  EventQuery,
  LatestMetricRecord,
  MetricPointRecord,
  MetricSeriesKey,
  MetricSeriesQuery,
  PointerRecord,
  RunRecord,
  StateStore,
  StepRecord,
  TriggerStateRecord,
  ApiTokenRecord,
  FeedbackQuery,
  FeedbackRecord,
  VersionRecord,
  VersionStatus,
  BackfillRecord,
  PartitionRecord,
} from './state-store.js';
import { toBackfillRecord, toPartitionRecord } from './partition-rows.js';
import type { EventsTable, StateTables } from './state-tables.js';
import { toTriggerStateRecord } from './trigger-state-rows.js';
import { toApiTokenRecord } from './api-token-rows.js';
import { readFeedback } from './feedback-rows.js';

// The projection's version lifecycle and the store's must stay the same set of words.
type SameWords<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const versionStatusesAgree: SameWords<ProjectedVersionStatus, VersionStatus> = true;
void versionStatusesAgree;

/** Counters for tests and diagnostics: how appends were grouped into transactions. */
export interface AppendStats {
  /** `append` calls with at least one event. */
  calls: number;
  /** Events committed. */
  events: number;
  /** Append transactions committed. Fewer than `calls` when appends were grouped. */
  transactions: number;
  /** Calls whose events were rolled back because one of their writes failed. */
  failedCalls: number;
}

/** One caller's events as rows, with their projection, computed before the transaction starts. */
interface PendingAppend {
  rows: Array<Omit<Insertable<EventsTable>, 'id'>>;
  writes: ProjectionWrite[][];
}

/**
 * A state store on any database Kysely and a {@link StateDialect} support. Open one with
 * {@link openKyselyStateStore} (or the SQLite and PostgreSQL open functions, which call it).
 *
 * Appends are grouped: calls made while a commit is in flight (and all calls of one tick) are
 * written together by the next transaction. A caller whose events cannot be written (say a second
 * `run_started` for the same run) gets a rejection and none of its events are kept, while the other
 * callers of that transaction commit. When the transaction itself fails (the database went away),
 * every caller in it is rejected with `STATE_UNAVAILABLE`.
 */
export class KyselyStateStore implements StateStore {
  private readonly db: Kysely<StateTables>;
  private readonly dialect: StateDialect;
  private readonly queue: GroupCommitQueue<PendingAppend>;
  private readonly inserts = new RowInserts();
  private readonly stats: AppendStats = { calls: 0, events: 0, transactions: 0, failedCalls: 0 };
  private closing: Promise<void> | undefined;

  /** Use {@link openKyselyStateStore}: a store must not be used before its tables are migrated. */
  constructor(db: Kysely<StateTables>, dialect: StateDialect) {
    this.db = db;
    this.dialect = dialect;
    this.queue = new GroupCommitQueue((items) => this.commit(items));
  }

  async append(events: WeirEvent[]): Promise<void> {
    if (this.closing) throw this.closedError();
    if (events.length === 0) return;
    const pending: PendingAppend = { rows: [], writes: [] };
    try {
      // Everything is read from the events now: a malformed event is refused before it costs
      // anyone a transaction, and a caller changing an event object later changes nothing.
      for (const original of events) {
        let payload = JSON.stringify(withoutPosition(original));
        let event = original;
        if (unstorableEscape.test(payload)) {
          // PostgreSQL cannot store NUL or a lone surrogate in jsonb, and one stray character in
          // a failing-row sample must not cost a run its events; every store replaces them alike.
          event = replaceUnstorable(original) as WeirEvent;
          payload = JSON.stringify(withoutPosition(event));
        }
        pending.writes.push(projectEvent(event));
        pending.rows.push({
          type: event.type,
          run_id: 'runId' in event ? event.runId : null,
          asset: 'asset' in event ? event.asset : null,
          at: new Date(event.at).toISOString(),
          payload,
        });
      }
    } catch (error) {
      throw new WeirError('INTERNAL', `the state store refused an event: ${messageOf(error)}`, { cause: error });
    }
    this.stats.calls += 1;
    await this.queue.submit(pending);
  }

  async events(query: EventQuery = {}): Promise<StoredEvent[]> {
    return this.read(async () => {
      let select = this.db.selectFrom('events').select(['id', 'payload']).orderBy('id', query.newestFirst === true ? 'desc' : 'asc');
      if (query.runId !== undefined) select = select.where('run_id', '=', query.runId);
      if (query.asset !== undefined) select = select.where('asset', '=', query.asset);
      if (query.type !== undefined) select = select.where('type', '=', query.type);
      if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
      if (query.limit !== undefined) select = select.limit(checkLimit(query.limit));
      return (await select.execute()).map(toStoredEvent);
    });
  }

  async runs(query: { limit?: number; status?: RunStatus } = {}): Promise<RunRecord[]> {
    return this.read(async () => {
      let select = this.db.selectFrom('runs').selectAll().orderBy('started_at', 'desc').orderBy('event_id', 'desc');
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      if (query.limit !== undefined) select = select.limit(checkLimit(query.limit));
      return (await select.execute()).map(toRunRecord);
    });
  }

  /**
   * One run by its id or by a prefix of it. Throws `WeirError('RUN_UNKNOWN')` naming the
   * candidates when a prefix matches more than one run, so a person can type a longer one;
   * returns undefined when nothing matches or the id is empty.
   */
  async run(runId: string): Promise<RunRecord | undefined> {
    if (runId === '') return undefined;
    return this.read(async () => {
      const exact = await this.db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
      if (exact) return toRunRecord(exact);
      // substr, not LIKE: a prefix is compared as it was typed (LIKE would treat % and _ as
      // wildcards, and SQLite's LIKE ignores case).
      const matches = await this.db
        .selectFrom('runs')
        .selectAll()
        .where((eb) => eb(eb.fn('substr', ['run_id', eb.lit(1), eb.val(runId.length)]), '=', runId))
        .orderBy('run_id')
        .limit(6)
        .execute();
      if (matches.length === 1) return toRunRecord(matches[0]!);
      if (matches.length === 0) return undefined;
      const shown = matches.slice(0, 5).map((match) => match.run_id);
      const more = matches.length > shown.length ? ', ...' : '';
      throw new WeirError('RUN_UNKNOWN', `run id "${runId}" is ambiguous: it could be ${shown.join(', ')}${more}`, {
        hint: 'type more of the run id',
      });
    });
  }

  async steps(runId: string): Promise<StepRecord[]> {
    return this.read(async () => {
      const rows = await this.db.selectFrom('steps').selectAll().where('run_id', '=', runId).orderBy('event_id').execute();
      return rows.map(toStepRecord);
    });
  }

  async stepsOfRuns(runIds: readonly string[]): Promise<StepRecord[]> {
    return this.read(async () => {
      const rows = [];
      for (const ids of inChunks(runIds)) rows.push(...(await this.db.selectFrom('steps').selectAll().where('run_id', 'in', ids).orderBy('event_id').execute()));
      return rows.map(toStepRecord);
    });
  }

  async versions(asset?: string): Promise<VersionRecord[]> {
    return this.read(async () => {
      let select = this.db.selectFrom('versions').selectAll().orderBy('created_at', 'desc').orderBy('event_id', 'desc');
      if (asset !== undefined) select = select.where('asset', '=', asset);
      return (await select.execute()).map(toVersionRecord);
    });
  }

  async pointers(environment: string): Promise<PointerRecord[]> {
    return this.read(async () => {
      const rows = await this.db.selectFrom('pointers').selectAll().where('environment', '=', environment).orderBy('asset').execute();
      return rows.map(toPointerRecord);
    });
  }

  async checkResults(query: CheckResultQuery): Promise<CheckResultRecord[]> {
    const limit = query.limit === undefined ? undefined : checkLimit(query.limit);
    return this.read(async () => {
      const select = (runIds?: string[]) => {
        let select = this.db.selectFrom('check_results').selectAll().orderBy('evaluated_at', 'desc').orderBy('event_id', 'desc');
        if (query.asset !== undefined) select = select.where('asset', '=', query.asset);
        if (query.runId !== undefined) select = select.where('run_id', '=', query.runId);
        if (query.version !== undefined) select = select.where('version', '=', query.version);
        if (runIds !== undefined) select = select.where('run_id', 'in', runIds);
        return limit === undefined ? select : select.limit(limit);
      };
      if (query.runIds === undefined) return (await select().execute()).map(toCheckResultRecord);
      // Many runs: a chunk of ids per query, then the chunks merged newest first.
      const rows = [];
      for (const ids of inChunks(query.runIds)) rows.push(...(await select(ids).execute()));
      const merged = rows.map((row) => ({ eventId: Number(row.event_id), record: toCheckResultRecord(row) }));
      merged.sort((a, b) => compareText(b.record.evaluatedAt, a.record.evaluatedAt) || b.eventId - a.eventId);
      return merged.slice(0, limit).map((item) => item.record);
    });
  }

  async metricSeries(query: MetricSeriesQuery): Promise<MetricPointRecord[]> {
    if (query.eachPartition === true) return this.newestPointPerPartition(query);
    return this.read(async () => {
      // Newest first when limited, so the database stops after `limit` rows of the index.
      let select = this.db
        .selectFrom('metric_points')
        .selectAll()
        .where('asset', '=', query.asset)
        .where('metric', '=', query.metric)
        .where('column_name', '=', query.column ?? '')
        .where('partition', query.partition === undefined ? 'is' : '=', query.partition ?? null)
        .orderBy('event_id', query.limit === undefined ? 'asc' : 'desc');
      if (query.limit !== undefined) select = select.limit(checkLimit(query.limit));
      const points = (await select.execute()).map(toMetricPointRecord);
      return query.limit === undefined ? points : points.reverse();
    });
  }

  /** The newest point of each partition of a series, by partition key (`metricSeries` with `eachPartition`). */
  private async newestPointPerPartition(series: MetricSeriesKey): Promise<MetricPointRecord[]> {
    return this.read(async () => {
      const newest = this.db
        .selectFrom('metric_points')
        .select((eb) => eb.fn.max('event_id').as('event_id'))
        .where('asset', '=', series.asset)
        .where('metric', '=', series.metric)
        .where('column_name', '=', series.column ?? '')
        .where('partition', 'is not', null)
        .groupBy('partition');
      const rows = await this.db
        .selectFrom('metric_points')
        .selectAll()
        .where('asset', '=', series.asset)
        .where('metric', '=', series.metric)
        .where('column_name', '=', series.column ?? '')
        .where('event_id', 'in', newest)
        .orderBy('partition')
        .execute();
      return rows.map(toMetricPointRecord);
    });
  }

  async spcRebaselines(series: MetricSeriesKey): Promise<string[]> {
    return this.read(async () => {
      const rows = await this.db
        .selectFrom('spc_rebaselines')
        .select('rebaselined_at')
        .where('asset', '=', series.asset)
        .where('metric', '=', series.metric)
        .where('column_name', '=', series.column ?? '')
        .orderBy('event_id')
        .execute();
      return rows.map((row) => readTime(row.rebaselined_at));
    });
  }

  async latestMetrics(asset: string): Promise<LatestMetricRecord[]> {
    return this.read(async () => {
      const rows = await this.db
        .selectFrom('metric_points as point')
        .innerJoin(
          (eb) =>
            eb
              .selectFrom('metric_points')
              .select(['metric', 'column_name', (inner) => inner.fn.max('event_id').as('event_id')])
              .where('asset', '=', asset)
              .groupBy(['metric', 'column_name'])
              .as('newest'),
          (join) =>
            join
              .onRef('newest.metric', '=', 'point.metric')
              .onRef('newest.column_name', '=', 'point.column_name')
              .onRef('newest.event_id', '=', 'point.event_id'),
        )
        .selectAll('point')
        .where('point.asset', '=', asset)
        .execute();
      // Sorted here, not by the database: PostgreSQL's collation would order names differently
      // from SQLite's bytes. '' (asset metrics) sorts first.
      return rows
        .sort((a, b) => compareText(a.column_name, b.column_name) || compareText(a.metric, b.metric))
        .map(toLatestMetricRecord);
    });
  }

  async triggerStates(trigger?: TriggerKind): Promise<TriggerStateRecord[]> {
    return this.read(async () => {
      let select = this.db.selectFrom('trigger_states').selectAll();
      if (trigger !== undefined) select = select.where('trigger', '=', trigger);
      const rows = await select.execute();
      // Sorted here so both databases order names alike (PostgreSQL's collation is not bytes).
      return rows.map(toTriggerStateRecord).sort((a, b) => compareText(a.trigger, b.trigger) || compareText(a.name, b.name));
    });
  }

  async apiTokens(): Promise<ApiTokenRecord[]> {
    return this.read(async () => (await this.db.selectFrom('api_tokens').selectAll().orderBy('event_id').execute()).map(toApiTokenRecord));
  }

  async feedback(query: FeedbackQuery = {}): Promise<FeedbackRecord[]> {
    if (query.limit !== undefined) checkLimit(query.limit);
    return this.read(() => readFeedback(this.db, query));
  }

  async lastEventId(): Promise<number> {
    return this.read(async () => {
      const row = await this.db.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
      return row?.id === null || row?.id === undefined ? 0 : readNumber(row.id);
    });
  }

  async partitions(query: { asset?: string; version?: string; backfillId?: string }): Promise<PartitionRecord[]> {
    return this.read(async () => {
      let select = this.db.selectFrom('partitions').selectAll().orderBy('asset').orderBy('version').orderBy('partition');
      if (query.asset !== undefined) select = select.where('asset', '=', query.asset);
      if (query.version !== undefined) select = select.where('version', '=', query.version);
      if (query.backfillId !== undefined) select = select.where('backfill_id', '=', query.backfillId);
      // Sorted here too: PostgreSQL's collation would order keys differently from SQLite's bytes.
      return (await select.execute()).map(toPartitionRecord).sort((a, b) => compareText(a.asset, b.asset) || compareText(a.version, b.version) || compareText(a.partition, b.partition));
    });
  }

  async backfills(query: { backfillId?: string; limit?: number } = {}): Promise<BackfillRecord[]> {
    return this.read(async () => {
      let select = this.db.selectFrom('backfills').selectAll().orderBy('requested_at', 'desc').orderBy('event_id', 'desc');
      if (query.backfillId !== undefined) {
        const prefix = query.backfillId;
        select = select.where((eb) => eb(eb.fn('substr', ['backfill_id', eb.lit(1), eb.val(prefix.length)]), '=', prefix));
      }
      if (query.limit !== undefined) select = select.limit(checkLimit(query.limit));
      const records = (await select.execute()).map(toBackfillRecord);
      if (query.backfillId === undefined) return records;
      const exact = records.filter((record) => record.backfillId === query.backfillId);
      if (exact.length > 0 || records.length <= 1) return exact.length > 0 ? exact : records;
      const shown = records.slice(0, 5).map((record) => record.backfillId);
      throw new WeirError('USAGE', `"${query.backfillId}" names more than one backfill: ${shown.join(', ')}${records.length > 5 ? ', ...' : ''}`);
    });
  }

  /** Waits for queued appends, then releases the connections. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.idle();
      await this.db.destroy();
    })();
    return this.closing;
  }

  /** How appends were grouped so far; the conformance suite uses it to verify group commit. */
  appendStats(): AppendStats {
    return { ...this.stats };
  }

  /**
   * Writes every pending append in one transaction. Optimistically all together, with multi-row
   * statements; if that fails, again with one savepoint per caller, so only the callers whose
   * events cannot be written are refused. Failures are bugs and rare, so the common case pays for
   * no savepoints.
   */
  private async commit(items: PendingAppend[]): Promise<ItemOutcome[]> {
    const outcomes = await this.commitGroup(items);
    items.forEach((item, index) => {
      if (outcomes[index] === undefined) this.stats.events += item.rows.length;
      else this.stats.failedCalls += 1;
    });
    return outcomes;
  }

  private async commitGroup(items: PendingAppend[]): Promise<ItemOutcome[]> {
    try {
      return await this.dialect.exclusive(() =>
        this.db.connection().execute(async (connection) => {
          try {
            await this.transaction(connection, async (firstId) => {
              await this.writeItems(connection, items, firstId);
            });
            return items.map(() => undefined);
          } catch (error) {
            if (isWeirError(error) || this.dialect.unavailable(error)) throw error;
            if (items.length === 1) return [this.refused(items[0]!, error)];
          }
          return this.commitOneByOne(connection, items);
        }),
      );
    } catch (error) {
      if (isWeirError(error)) throw error;
      throw (
        this.dialect.unavailable(error) ??
        new WeirError('INTERNAL', `could not append to the ${this.dialect.description}: ${messageOf(error)}`, { cause: error })
      );
    }
  }

  private async commitOneByOne(connection: Kysely<StateTables>, items: PendingAppend[]): Promise<ItemOutcome[]> {
    const outcomes: ItemOutcome[] = [];
    await this.transaction(connection, async (firstId) => {
      let nextId = firstId;
      for (const item of items) {
        await sql`savepoint weir_append`.execute(connection);
        try {
          await this.writeItems(connection, [item], nextId);
          await sql`release savepoint weir_append`.execute(connection);
          nextId += item.rows.length;
          outcomes.push(undefined);
        } catch (error) {
          // If rolling back fails the connection is gone, and the whole transaction fails with it.
          await sql`rollback to savepoint weir_append`.execute(connection);
          await sql`release savepoint weir_append`.execute(connection);
          outcomes.push(this.refused(item, error));
        }
      }
    });
    return outcomes;
  }

  /** Runs `work` in a write transaction, giving it the next free event id, and commits. */
  private async transaction(connection: Kysely<StateTables>, work: (firstId: number) => Promise<void>): Promise<void> {
    await this.dialect.beginWrite(connection);
    try {
      // Ids are assigned here, under the writer lock, so they are gap-free and in commit order: a
      // reader that follows the log with `afterId` can never miss an event committed later with a
      // smaller id, which database sequences do not promise.
      const last = await connection.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
      await work(last?.id === null || last?.id === undefined ? 1 : readNumber(last.id) + 1);
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
    this.stats.transactions += 1;
  }

  private async writeItems(connection: Kysely<StateTables>, items: PendingAppend[], firstId: number): Promise<void> {
    const rows = items.flatMap((item) => item.rows).map((row, index) => ({ ...row, id: firstId + index }));
    await this.inserts.run(connection, 'events', rows, (db, placeholders) => db.insertInto('events').values(placeholders));
    const entries = items.flatMap((item) => item.writes).flatMap((writes, index) => writes.map((write) => ({ write, eventId: firstId + index })));
    await applyProjectionWrites(connection, entries, this.dialect, this.inserts);
  }

  private refused(item: PendingAppend, error: unknown): Error {
    const unavailable = this.dialect.unavailable(error);
    if (unavailable) return unavailable;
    const types = [...new Set(item.rows.map((row) => row.type))].join(', ');
    return new WeirError(
      'INTERNAL',
      `the ${this.dialect.description} refused ${item.rows.length} event(s) (${types}): ${messageOf(error)}`,
      { cause: error },
    );
  }

  /**
   * Runs a read. When the database went away mid-read (say PostgreSQL restarted), the read is
   * repeated on a new connection for as long as the dialect's `retryReads` says: a follower or a
   * server polling the state then lives through a restart. Appends are not repeated here: one
   * whose commit was lost may have been written.
   */
  private async read<T>(work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (this.closing) throw this.closedError();
      try {
        return await work();
      } catch (error) {
        if (isWeirError(error)) throw error;
        const unavailable = this.dialect.unavailable(error);
        if (unavailable === undefined) throw error;
        const retry = this.dialect.retryReads;
        if (this.closing || retry === undefined || !retry.when(error) || Date.now() - started >= retry.forMs) throw unavailable;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** Math.min(attempt, 6))));
      }
    }
  }

  private closedError(): WeirError {
    return new WeirError('STATE_UNAVAILABLE', `the ${this.dialect.description} is closed`);
  }
}

/**
 * Migrates the database behind `db` and returns a store on it. The store owns `db` from then on
 * and destroys it on `close()`.
 *
 * @example
 * ```ts
 * const store = await openKyselyStateStore(new Kysely<StateTables>({ dialect }), stateDialect);
 * ```
 */
export async function openKyselyStateStore(db: Kysely<StateTables>, dialect: StateDialect): Promise<KyselyStateStore> {
  try {
    await migrateStateDatabase(db, dialect);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw isWeirError(error) ? error : dialect.cannotOpen(error);
  }
  return new KyselyStateStore(db, dialect);
}

/** The event without the `id` of a stored event: appended again, it gets a new position. */
function withoutPosition(event: WeirEvent): object {
  if (!('id' in event)) return event;
  const payload: Record<string, unknown> = { ...event };
  delete payload.id;
  return payload;
}

// JSON.stringify writes NUL and lone surrogates as these escapes (paired surrogates stay raw).
const unstorableEscape = /\\u(0000|d[89a-f])/i;
const unstorableCharacters = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A copy of `value` with NUL and lone surrogates in strings and keys replaced by U+FFFD. */
function replaceUnstorable(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(unstorableCharacters, '\ufffd');
  if (Array.isArray(value)) return value.map(replaceUnstorable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key.replace(unstorableCharacters, '\ufffd'), replaceUnstorable(item)]),
    );
  }
  return value;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ids per `IN (...)` list: far below SQLite's and PostgreSQL's limits on bound parameters. */
const IDS_PER_QUERY = 500;

function inChunks(ids: readonly string[]): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) chunks.push(ids.slice(start, start + IDS_PER_QUERY));
  return chunks;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new WeirError('USAGE', `limit must be a whole number >= 0, got ${limit}`);
  return limit;
}
