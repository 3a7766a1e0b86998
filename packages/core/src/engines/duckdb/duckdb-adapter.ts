/**
 * The default engine: DuckDB embedded in the Weir process, its warehouse a file under `.weir/`.
 */
import type { Readable } from 'node:stream';
import { loadCsvStream } from './duckdb-csv-stream.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { WeirError, messageOf } from '../../errors/weir-error.js';
import type { ColumnInfo, EngineAdapter, EngineCapabilities, FileReadOptions, RelationRef, Row, StatementProgress } from '../engine-adapter.js';
import { mergeColumns } from '../column-matching.js';
import { assertSqlTypeName } from '../sql-type-name.js';
import { appendRows } from './duckdb-bulk-insert.js';
import { DuckDBSession } from './duckdb-session.js';
import { explainReadError, readerCall } from './duckdb-file-reader.js';
import { qualifyTables } from './duckdb-qualify-tables.js';
import { withAbort } from '../with-abort.js';

/** Settings for {@link openDuckDBAdapter}. */
export interface DuckDBAdapterOptions {
  /** A file path, or `:memory:`. */
  path: string;
  threads?: number;
  memoryLimit?: string;
  /** Open without writing (DuckDB's `READ_ONLY` access): readers may share the file; a writer holding it is still `PROJECT_LOCKED`. */
  readOnly?: boolean;
}

const CAPABILITIES: EngineCapabilities = {
  atomicViewSwap: true,
  transactionalDdl: true,
  merge: true,
  fileFormats: ['csv', 'json', 'ndjson', 'parquet'],
  concurrentWriters: false,
};

/**
 * Opens the DuckDB warehouse. A file held by another process becomes a `PROJECT_LOCKED` error
 * naming that process, never DuckDB's raw lock message.
 *
 * @example
 * ```ts
 * const engine = await openDuckDBAdapter({ path: '.weir/warehouse.duckdb' });
 * const session = await engine.session();
 * await session.query('select 42 as answer');
 * ```
 */
export async function openDuckDBAdapter(options: DuckDBAdapterOptions): Promise<DuckDBAdapter> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const settings: Record<string, string> = {};
  if (options.threads !== undefined) settings.threads = String(options.threads);
  if (options.memoryLimit !== undefined) settings.memory_limit = options.memoryLimit;
  if (options.readOnly === true) settings.access_mode = 'READ_ONLY';
  try {
    const instance = await DuckDBInstance.create(options.path, settings);
    return new DuckDBAdapter(instance);
  } catch (error) {
    const message = messageOf(error);
    const holder = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
    if (holder) {
      throw new WeirError('PROJECT_LOCKED', `the warehouse ${options.path} is in use by another process (pid ${holder[2]})`, {
        hint: 'wait for the other weir command to finish, or stop it',
        cause: error,
      });
    }
    throw new WeirError('ENGINE_UNAVAILABLE', `cannot open the DuckDB warehouse ${options.path}: ${message}`, { cause: error });
  }
}

/** The DuckDB {@link EngineAdapter}. */
export class DuckDBAdapter implements EngineAdapter {
  readonly kind = 'duckdb';
  readonly capabilities = CAPABILITIES;
  private readonly instance: DuckDBInstance;
  private readonly open = new Set<DuckDBSession>();
  /** The session working for each signal passed to a long-running method, for progress. */
  private readonly working = new Map<AbortSignal, DuckDBSession>();
  /** The most rows reported read for each signal, so that progress never goes backwards. */
  private readonly highestRowsRead = new WeakMap<AbortSignal, number>();

  constructor(instance: DuckDBInstance) {
    this.instance = instance;
  }

  async session(): Promise<DuckDBSession> {
    const session = new DuckDBSession(await this.instance.connect(), (closed) => this.open.delete(closed));
    this.open.add(session);
    return session;
  }

  async close(): Promise<void> {
    for (const session of [...this.open]) await session.close();
    this.instance.closeSync();
  }

  quoteIdentifier(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  quoteRelation(ref: RelationRef): string {
    return `${this.quoteIdentifier(ref.schema)}.${this.quoteIdentifier(ref.name)}`;
  }

  async createSchema(schema: string): Promise<void> {
    await this.runCatalogStatement(`CREATE SCHEMA IF NOT EXISTS ${this.quoteIdentifier(schema)}`);
  }

  async describe(ref: RelationRef): Promise<ColumnInfo[] | undefined> {
    const rows = await this.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [ref.schema, ref.name],
    );
    if (rows.length === 0) return undefined;
    return rows.map((row) => ({ name: String(row.column_name), type: String(row.data_type).toUpperCase(), nullable: row.is_nullable === 'YES' }));
  }

  async listRelations(schema: string): Promise<Array<{ name: string; kind: 'table' | 'view' }>> {
    const rows = await this.query(
      `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    return rows.map((row) => ({ name: String(row.table_name), kind: row.table_type === 'VIEW' ? 'view' : 'table' }));
  }

  async viewDefinitions(schema: string): Promise<Map<string, string>> {
    const rows = await this.query(`SELECT view_name, sql FROM duckdb_views() WHERE schema_name = $1 AND NOT internal`, [schema]);
    return new Map(rows.map((row) => [String(row.view_name), String(row.sql)]));
  }

  async createTableAs(target: RelationRef, selectSql: string, searchSchema?: string, signal?: AbortSignal): Promise<void> {
    await this.run(`CREATE OR REPLACE TABLE ${this.quoteRelation(target)} AS ${selectSql}`, [], searchSchema, signal);
  }

  async createViewAs(target: RelationRef, selectSql: string, searchSchema?: string, signal?: AbortSignal): Promise<void> {
    await this.withSession(async (session) => {
      // A DuckDB view is re-bound on every read, without this session's search path.
      const sql = searchSchema === undefined ? selectSql : await qualifyTables(session, selectSql, searchSchema);
      await session.execute(`CREATE OR REPLACE VIEW ${this.quoteRelation(target)} AS ${sql}`);
      // Creating a view reads no data: nothing to watch.
    }, signal, false);
  }

  async cloneTable(source: RelationRef, target: RelationRef, signal?: AbortSignal): Promise<void> {
    await this.run(`CREATE OR REPLACE TABLE ${this.quoteRelation(target)} AS SELECT * FROM ${this.quoteRelation(source)}`, [], undefined, signal);
  }

  async appendFrom(target: RelationRef, source: RelationRef, signal?: AbortSignal): Promise<void> {
    await this.run(`INSERT INTO ${this.quoteRelation(target)} BY NAME SELECT * FROM ${this.quoteRelation(source)}`, [], undefined, signal);
  }

  async mergeFrom(target: RelationRef, source: RelationRef, keys: string[], signal?: AbortSignal): Promise<void> {
    // Columns are listed by name: `UPDATE SET *` pairs them by position.
    const columns = mergeColumns(target, await this.describe(target), source, await this.describe(source), keys);
    const q = (name: string): string => this.quoteIdentifier(name);
    const on = keys.map((key) => `t.${q(key)} IS NOT DISTINCT FROM s.${q(key)}`).join(' AND ');
    const update = columns.update.length === 0 ? 'DO NOTHING' : `UPDATE SET ${columns.update.map((name) => `${q(name)} = s.${q(name)}`).join(', ')}`;
    const insert = `INSERT (${columns.insert.map(q).join(', ')}) VALUES (${columns.insert.map((name) => `s.${q(name)}`).join(', ')})`;
    await this.withSession(
      (session) =>
        session.transaction(() =>
          session.execute(
            `MERGE INTO ${this.quoteRelation(target)} AS t USING ${this.quoteRelation(source)} AS s ON (${on})
             WHEN MATCHED THEN ${update} WHEN NOT MATCHED THEN ${insert}`,
          ),
        ),
      signal,
    );
  }

  async pointView(view: RelationRef, target: RelationRef): Promise<void> {
    // Partitions of one asset published at once each point its view (the same target).
    await this.runCatalogStatement(`CREATE OR REPLACE VIEW ${this.quoteRelation(view)} AS SELECT * FROM ${this.quoteRelation(target)}`);
  }

  async drop(ref: RelationRef, kind: 'table' | 'view'): Promise<void> {
    await this.run(`DROP ${kind === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${this.quoteRelation(ref)}`);
  }

  async loadFiles(target: RelationRef, options: FileReadOptions, signal?: AbortSignal): Promise<void> {
    const call = readerCall(options);
    await this.withSession(async (session) => {
      try {
        await session.execute(`CREATE OR REPLACE TABLE ${this.quoteRelation(target)} AS SELECT * FROM ${call.sql}`, call.params);
      } catch (error) {
        if (signal?.aborted) throw error;
        throw await explainReadError(session, options, error);
      }
    }, signal);
  }

  async loadCsvStream(target: RelationRef, columns: ColumnInfo[], csv: Readable, signal?: AbortSignal): Promise<void> {
    await this.withSession((session) => loadCsvStream(session, this.quoteRelation(target), columns, csv, (name) => this.quoteIdentifier(name)), signal);
  }

  async bulkInsert(target: RelationRef, columns: ColumnInfo[], rows: Row[], options: { append: boolean; signal?: AbortSignal }): Promise<void> {
    const table = this.quoteRelation(target);
    const columnList = columns.map((column) => `${this.quoteIdentifier(column.name)} ${assertSqlTypeName(column.type, column.name)}`);
    await this.withSession(
      (session) =>
        session.transaction(async () => {
          if (!options.append) await session.execute(`CREATE OR REPLACE TABLE ${table} (${columnList.join(', ')})`);
          if (rows.length > 0) await appendRows(session, table, columns, rows);
        }),
      options.signal,
    );
  }

  async rowCount(ref: RelationRef): Promise<number> {
    const [row] = await this.query(`SELECT count(*) AS n FROM ${this.quoteRelation(ref)}`);
    return Number(row?.n ?? 0);
  }

  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.withSession((session) => session.query(sql, params));
  }

  /** Runs one statement; `watch` says whether its progress is worth tracking (not for instant DDL). */
  /**
   * A catalog statement that another connection may be running at the same moment (the same schema
   * created, the same view pointed). DuckDB fails the loser's transaction with a "write-write
   * conflict"; once the winner has committed, the statement succeeds, so it is tried again a few
   * times, a moment apart. The statements are idempotent, so running one again is safe.
   */
  private async runCatalogStatement(sql: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.run(sql);
        return;
      } catch (error) {
        if (attempt >= 20 || !/write-write conflict/i.test(messageOf(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
      }
    }
  }

  private async run(sql: string, params: unknown[] = [], searchSchema?: string, signal?: AbortSignal, watch = true): Promise<void> {
    await this.withSession(
      async (session) => {
        if (searchSchema !== undefined) await session.setSearchPath(searchSchema);
        await session.execute(sql, params);
      },
      signal,
      watch,
    );
  }

  /** Runs `work` on a fresh session; an abort of `signal` interrupts whatever it is running. */
  private async withSession<T>(work: (session: DuckDBSession) => Promise<T>, signal?: AbortSignal, watch = true): Promise<T> {
    signal?.throwIfAborted();
    const session = await this.session();
    if (signal && watch) {
      // Progress is a per-connection setting (DuckDB refuses it globally and at creation): tracked,
      // never printed, so `weir run` can show rows read by each running build.
      await session.execute('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
      this.working.set(signal, session);
    }
    try {
      return await withAbort(signal, () => session.interrupt(), () => work(session));
    } finally {
      if (signal && this.working.get(signal) === session) this.working.delete(signal);
      await session.close();
    }
  }

  statementProgress(signal: AbortSignal): StatementProgress | undefined {
    const session = this.working.get(signal);
    if (!session) return undefined;
    const progress = session.connection.progress;
    // DuckDB reports -1 when no statement runs or it cannot estimate.
    if (progress.percentage < 0) return undefined;
    // DuckDB's count can step back between pipelines of one statement; "rows read so far" never does.
    const rowsRead = Math.max(Number(progress.rows_processed), this.highestRowsRead.get(signal) ?? 0);
    this.highestRowsRead.set(signal, rowsRead);
    return { rowsRead, percent: progress.percentage };
  }


}
