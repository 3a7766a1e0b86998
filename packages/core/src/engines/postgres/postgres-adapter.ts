/**
 * The PostgreSQL engine: a server warehouse for teams, reached through a connection pool. DDL is
 * transactional here, so every replace (table, view, publication) is one transaction and readers
 * see the old relation or the new one, never neither.
 */
import type { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import type { PoolClient } from 'pg';
import { WeirError, messageOf } from '../../errors/weir-error.js';
import { mergeColumns, sharedColumns } from '../column-matching.js';
import type { ColumnInfo, EngineAdapter, EngineCapabilities, FileReadOptions, RelationRef, Row } from '../engine-adapter.js';
import { copyFile, copyRows, copyStream } from './postgres-copy.js';
import { engineUnavailable, invalidConnectionString, isConnectionError, isUnparseableConnectionString } from './postgres-errors.js';
import { FileExporter } from './postgres-file-export.js';
import { mergeSql } from './postgres-merge.js';
import { PostgresSession, quoteIdentifier } from './postgres-session.js';
import { toPostgresType } from './postgres-types.js';
import { weirTypeParsers } from './postgres-values.js';
import { withAbort } from '../with-abort.js';

/** Settings for {@link openPostgresAdapter}. */
export interface PostgresAdapterOptions {
  /** `postgres://user:password@host:5432/database`; the password never appears in an error. */
  url: string;
  /** Most connections the pool opens at once; default 10. */
  maxConnections?: number;
  /** How long to wait for a connection before giving up, in milliseconds; default 10,000. */
  connectTimeoutMs?: number;
  /** Shown in `pg_stat_activity`; default `weir`. */
  applicationName?: string;
}

const MERGE_SINCE = 150000; // server_version_num of PostgreSQL 15, the first with MERGE
const MAX_IDENTIFIER_BYTES = 63; // NAMEDATALEN - 1: PostgreSQL silently truncates longer names

/**
 * Opens a pool on the PostgreSQL warehouse and checks that it answers. An unreachable server, a
 * refused login or a missing database is an `ENGINE_UNAVAILABLE` error with the password masked.
 *
 * @example
 * ```ts
 * const engine = await openPostgresAdapter({ url: process.env.WAREHOUSE_URL! });
 * await engine.createSchema('staging');
 * await engine.createTableAs({ schema: 'staging', name: 'orders' }, 'SELECT * FROM raw.orders');
 * await engine.close();
 * ```
 */
export async function openPostgresAdapter(options: PostgresAdapterOptions): Promise<PostgresAdapter> {
  const pool = new Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'weir',
    types: weirTypeParsers(),
  });
  // An idle pooled connection that the server drops reports here; the pool replaces it. One the
  // server drops while it is checked out (a restart during `pool.query`, or between connect and
  // a session taking it) fails its statement instead, so it needs a listener of its own too.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const result = await pool.query<{ version: string }>("SELECT current_setting('server_version_num') AS version");
    return new PostgresAdapter(pool, options.url, Number(result.rows[0]?.version ?? 0));
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (isUnparseableConnectionString(error)) throw invalidConnectionString(error);
    throw isConnectionError(error) ? engineUnavailable(error, options.url) : error;
  }
}

/** The PostgreSQL {@link EngineAdapter}. */
export class PostgresAdapter implements EngineAdapter {
  readonly kind = 'postgres';
  readonly capabilities: EngineCapabilities;
  private readonly pool: Pool;
  private readonly url: string;
  private readonly open = new Set<PostgresSession>();
  private readonly files = new FileExporter();

  constructor(pool: Pool, url: string, serverVersion: number) {
    this.pool = pool;
    this.url = url;
    this.capabilities = {
      atomicViewSwap: true,
      transactionalDdl: true,
      merge: serverVersion >= MERGE_SINCE,
      fileFormats: ['csv', 'json', 'ndjson', 'parquet'],
      concurrentWriters: true,
    };
  }

  async session(): Promise<PostgresSession> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      // pg-pool says "timeout exceeded" both for a server that does not answer and for a pool
      // whose connections are all held; the second is Weir's to fix, not the server's.
      const { max, connectionTimeoutMillis } = this.pool.options;
      if (max !== undefined && this.pool.totalCount >= max && /timeout exceeded/i.test(messageOf(error))) {
        throw new WeirError('ENGINE_UNAVAILABLE', `all ${max} PostgreSQL connections stayed in use for ${connectionTimeoutMillis ?? 0} ms`, {
          hint: 'close sessions that are no longer needed, or raise maxConnections',
          cause: error,
        });
      }
      throw this.translate(error);
    }
    const session = new PostgresSession(client, {
      translate: (error) => this.translate(error),
      release: (closed, broken) => {
        this.open.delete(closed);
        closed.client.release(broken ?? false);
      },
      cancel: (pid) => this.cancelBackend(pid),
    });
    this.open.add(session);
    return session;
  }

  async close(): Promise<void> {
    for (const session of [...this.open]) await session.close();
    await this.files.close();
    await this.pool.end();
  }

  /** Quotes an identifier; names longer than PostgreSQL keeps are refused rather than truncated into another name. */
  quoteIdentifier(name: string): string {
    if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
      throw new WeirError('CONFIG_INVALID', `the name "${name}" is longer than PostgreSQL's limit of ${MAX_IDENTIFIER_BYTES} bytes`, {
        hint: 'PostgreSQL would silently cut it short, so two names could become one; choose a shorter name',
      });
    }
    return quoteIdentifier(name);
  }

  quoteRelation(ref: RelationRef): string {
    return `${this.quoteIdentifier(ref.schema)}.${this.quoteIdentifier(ref.name)}`;
  }

  async createSchema(schema: string): Promise<void> {
    try {
      await this.run(`CREATE SCHEMA IF NOT EXISTS ${this.quoteIdentifier(schema)}`);
    } catch (error) {
      // Two sessions creating the same schema at once: IF NOT EXISTS checks before the insert, so
      // the loser reports a duplicate; the schema exists, which is all that was asked.
      if (!['23505', '42P06'].includes(String((error as { code?: unknown }).code))) throw error;
    }
  }

  async describe(ref: RelationRef): Promise<ColumnInfo[] | undefined> {
    const rows = await this.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       ORDER BY a.attnum`,
      [ref.schema, ref.name],
    );
    if (rows.length === 0) return undefined;
    return rows
      .filter((row) => row.name !== null)
      .map((row) => ({ name: String(row.name), type: String(row.type).toUpperCase(), nullable: row.nullable === true }));
  }

  async listRelations(schema: string): Promise<Array<{ name: string; kind: 'table' | 'view' }>> {
    const rows = await this.query(
      `SELECT c.relname AS name, c.relkind IN ('v', 'm') AS is_view
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       ORDER BY c.relname`,
      [schema],
    );
    return rows.map((row) => ({ name: String(row.name), kind: row.is_view === true ? 'view' : 'table' }));
  }

  async viewDefinitions(schema: string): Promise<Map<string, string>> {
    const rows = await this.query('SELECT viewname, definition FROM pg_catalog.pg_views WHERE schemaname = $1', [schema]);
    return new Map(rows.map((row) => [String(row.viewname), String(row.definition)]));
  }

  async createTableAs(target: RelationRef, selectSql: string, searchSchema?: string, signal?: AbortSignal): Promise<void> {
    const table = this.quoteRelation(target);
    await this.inTransaction(async (session) => {
      if (searchSchema !== undefined) await this.setLocalSearchPath(session, searchSchema);
      await session.execute(`DROP TABLE IF EXISTS ${table}`);
      await session.execute(`CREATE TABLE ${table} AS ${selectSql}`);
    }, signal);
  }

  async createViewAs(target: RelationRef, selectSql: string, searchSchema?: string, signal?: AbortSignal): Promise<void> {
    const view = this.quoteRelation(target);
    await this.inTransaction(async (session) => {
      if (searchSchema !== undefined) await this.setLocalSearchPath(session, searchSchema);
      await replaceView(session, view, selectSql);
    }, signal);
  }

  async cloneTable(source: RelationRef, target: RelationRef, signal?: AbortSignal): Promise<void> {
    const [from, table] = [this.quoteRelation(source), this.quoteRelation(target)];
    await this.inTransaction(async (session) => {
      await session.execute(`DROP TABLE IF EXISTS ${table}`);
      await session.execute(`CREATE TABLE ${table} AS SELECT * FROM ${from}`);
    }, signal);
  }

  async appendFrom(target: RelationRef, source: RelationRef, signal?: AbortSignal): Promise<void> {
    const [table, from] = [this.quoteRelation(target), this.quoteRelation(source)];
    const columns = sharedColumns(target, await this.describe(target), source, await this.describe(source)).map(quoteIdentifier);
    await this.withSession(
      (session) => session.execute(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${from}`),
      signal,
    );
  }

  async mergeFrom(target: RelationRef, source: RelationRef, keys: string[], signal?: AbortSignal): Promise<void> {
    if (!this.capabilities.merge) throw new WeirError('USAGE', 'merge needs PostgreSQL 15 or later');
    const [targetColumns, sourceColumns] = [await this.describe(target), await this.describe(source)];
    const columns = mergeColumns(target, targetColumns, source, sourceColumns, keys);
    const sql = mergeSql({
      target: this.quoteRelation(target),
      source: this.quoteRelation(source),
      keys,
      columns,
      targetColumns: targetColumns ?? [],
      sourceColumns: sourceColumns ?? [],
    });
    await this.inTransaction((session) => session.execute(sql), signal);
  }

  async pointView(view: RelationRef, target: RelationRef): Promise<void> {
    const [name, table] = [this.quoteRelation(view), this.quoteRelation(target)];
    await this.inTransaction((session) => replaceView(session, name, `SELECT * FROM ${table}`));
  }

  async drop(ref: RelationRef, kind: 'table' | 'view'): Promise<void> {
    await this.run(`DROP ${kind === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${this.quoteRelation(ref)}`);
  }

  async loadFiles(target: RelationRef, options: FileReadOptions, signal?: AbortSignal): Promise<void> {
    const table = this.quoteRelation(target);
    signal?.throwIfAborted();
    const dir = await mkdtemp(join(tmpdir(), 'weir-load-'));
    try {
      // DuckDB reads first: a bad file fails before PostgreSQL is touched.
      const { csvPath, columns } = await this.files.exportCsv(options, dir, signal);
      const names = columns.map((column) => this.quoteIdentifier(column.name));
      const definitions = columns.map((column, index) => `${names[index]} ${column.postgresType}`);
      await this.inTransaction(async (session) => {
        await session.execute(`DROP TABLE IF EXISTS ${table}`);
        await session.execute(`CREATE TABLE ${table} (${definitions.join(', ')})`);
        await this.copy(() => copyFile(session.client, `COPY ${table} (${names.join(', ')}) FROM STDIN WITH (FORMAT csv)`, csvPath));
      }, signal);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async loadCsvStream(target: RelationRef, columns: ColumnInfo[], csv: Readable, signal?: AbortSignal): Promise<void> {
    const table = this.quoteRelation(target);
    const names = columns.map((column) => this.quoteIdentifier(column.name));
    const definitions = columns.map((column, index) => `${names[index]} ${toPostgresType(column.type, column.name)}`);
    await this.inTransaction(async (session) => {
      await session.execute(`DROP TABLE IF EXISTS ${table}`);
      await session.execute(`CREATE TABLE ${table} (${definitions.join(', ')})`);
      await this.copy(() => copyStream(session.client, `COPY ${table} (${names.join(', ')}) FROM STDIN WITH (FORMAT csv)`, csv));
    }, signal);
  }

  async bulkInsert(target: RelationRef, columns: ColumnInfo[], rows: Row[], options: { append: boolean; signal?: AbortSignal }): Promise<void> {
    const table = this.quoteRelation(target);
    const names = columns.map((column) => this.quoteIdentifier(column.name));
    const copyColumns = columns.map((column) => ({ name: column.name, postgresType: toPostgresType(column.type, column.name) }));
    const definitions = copyColumns.map((column, index) => `${names[index]} ${column.postgresType}`);
    await this.inTransaction(async (session) => {
      if (!options.append) {
        await session.execute(`DROP TABLE IF EXISTS ${table}`);
        await session.execute(`CREATE TABLE ${table} (${definitions.join(', ')})`);
      }
      if (rows.length === 0) return;
      await this.copy(() => copyRows(session.client, `COPY ${table} (${names.join(', ')}) FROM STDIN`, copyColumns, rows));
    }, options.signal);
  }

  async rowCount(ref: RelationRef): Promise<number> {
    const [row] = await this.query(`SELECT count(*) AS n FROM ${this.quoteRelation(ref)}`);
    return Number(row?.n ?? 0);
  }

  /** Connection failures become `ENGINE_UNAVAILABLE`; every other error is the engine's own. */
  private translate(error: unknown): unknown {
    return isConnectionError(error) ? engineUnavailable(error, this.url) : error;
  }

  private async setLocalSearchPath(session: PostgresSession, schema: string): Promise<void> {
    // set_config(..., true) is SET LOCAL with a bound value: it ends with the transaction, so the
    // pooled connection goes back with its own search path.
    await session.execute('SELECT set_config($1, $2, true)', ['search_path', this.quoteIdentifier(schema)]);
  }

  /** COPY runs outside `session.run`, so its failures are translated here. */
  private async copy(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.withSession((session) => session.query(sql, params));
  }

  private async run(sql: string): Promise<void> {
    await this.withSession((session) => session.execute(sql));
  }

  private async inTransaction(work: (session: PostgresSession) => Promise<void>, signal?: AbortSignal): Promise<void> {
    await this.withSession((session) => session.transaction(() => work(session)), signal);
  }

  /**
   * Runs `work` on a session of its own. When `signal` aborts, the statement running on that
   * session is cancelled on the server and the call rejects with the abort reason.
   */
  private async withSession<T>(work: (session: PostgresSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const session = await this.session();
    try {
      return await withAbort(signal, () => session.interrupt(), () => work(session));
    } finally {
      await session.close();
    }
  }


  /** Cancels the statement of backend `pid` from a separate connection (the pool may be full). */
  private async cancelBackend(pid: number | undefined): Promise<void> {
    if (pid === undefined) return;
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The statement may already be over, or the server gone; there is nothing left to stop.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * Replaces a view in the caller's transaction. CREATE OR REPLACE keeps views that depend on this
 * one, but PostgreSQL refuses it when columns are dropped, renamed or retyped; then the view is
 * dropped and created again, which the transaction still makes atomic for readers.
 */
async function replaceView(session: PostgresSession, view: string, selectSql: string): Promise<void> {
  await session.execute('SAVEPOINT weir_replace_view');
  try {
    await session.execute(`CREATE OR REPLACE VIEW ${view} AS ${selectSql}`);
    await session.execute('RELEASE SAVEPOINT weir_replace_view');
  } catch (error) {
    if (!['42P16', '42804'].includes(String((error as { code?: unknown }).code))) throw error;
    await session.execute('ROLLBACK TO SAVEPOINT weir_replace_view');
    await session.execute(`DROP VIEW IF EXISTS ${view}`);
    await session.execute(`CREATE VIEW ${view} AS ${selectSql}`);
  }
}
