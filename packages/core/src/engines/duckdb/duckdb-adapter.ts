/**
 * The default engine: DuckDB embedded in the Weir process, its warehouse a file under `.weir/`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, timestampValue, type DuckDBValue } from '@duckdb/node-api';
import { WeirError, messageOf } from '../../errors/weir-error.js';
import type { ColumnInfo, EngineAdapter, EngineCapabilities, FileReadOptions, RelationRef, Row } from '../engine-adapter.js';
import { DuckDBSession } from './duckdb-session.js';
import { explainReadError, readerCall } from './duckdb-file-reader.js';

/** Settings for {@link openDuckDBAdapter}. */
export interface DuckDBAdapterOptions {
  /** A file path, or `:memory:`. */
  path: string;
  threads?: number;
  memoryLimit?: string;
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
    await this.run(`CREATE SCHEMA IF NOT EXISTS ${this.quoteIdentifier(schema)}`);
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

  async createTableAs(target: RelationRef, selectSql: string, searchSchema?: string, signal?: AbortSignal): Promise<void> {
    await this.run(`CREATE OR REPLACE TABLE ${this.quoteRelation(target)} AS ${selectSql}`, [], searchSchema, signal);
  }

  async createViewAs(target: RelationRef, selectSql: string, searchSchema?: string, signal?: AbortSignal): Promise<void> {
    await this.run(`CREATE OR REPLACE VIEW ${this.quoteRelation(target)} AS ${selectSql}`, [], searchSchema, signal);
  }

  async cloneTable(source: RelationRef, target: RelationRef, signal?: AbortSignal): Promise<void> {
    await this.run(`CREATE OR REPLACE TABLE ${this.quoteRelation(target)} AS SELECT * FROM ${this.quoteRelation(source)}`, [], undefined, signal);
  }

  async appendFrom(target: RelationRef, source: RelationRef, signal?: AbortSignal): Promise<void> {
    await this.run(`INSERT INTO ${this.quoteRelation(target)} BY NAME SELECT * FROM ${this.quoteRelation(source)}`, [], undefined, signal);
  }

  async mergeFrom(target: RelationRef, source: RelationRef, keys: string[], signal?: AbortSignal): Promise<void> {
    const on = keys.map((key) => `t.${this.quoteIdentifier(key)} IS NOT DISTINCT FROM s.${this.quoteIdentifier(key)}`).join(' AND ');
    await this.withSession(async (session) =>
      session.transaction(() =>
        session.execute(
          `MERGE INTO ${this.quoteRelation(target)} AS t USING ${this.quoteRelation(source)} AS s ON (${on})
           WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT BY NAME`,
        ),
      ),
    signal);
  }

  async pointView(view: RelationRef, target: RelationRef): Promise<void> {
    await this.run(`CREATE OR REPLACE VIEW ${this.quoteRelation(view)} AS SELECT * FROM ${this.quoteRelation(target)}`);
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

  async bulkInsert(target: RelationRef, columns: ColumnInfo[], rows: Row[], options: { append: boolean; signal?: AbortSignal }): Promise<void> {
    await this.withSession(async (session) => {
      const columnList = columns.map((column) => `${this.quoteIdentifier(column.name)} ${column.type}`).join(', ');
      if (!options.append) await session.execute(`CREATE OR REPLACE TABLE ${this.quoteRelation(target)} (${columnList})`);
      if (rows.length === 0) return;
      // The appender takes a few plain types; a landing table of those, cast once into the real
      // types, keeps every conversion in DuckDB rather than in per-type JavaScript.
      const landing = { schema: target.schema, name: `${target.name}__landing` };
      const landingTypes = columns.map((column) => landingType(column.type));
      await session.execute(
        `CREATE OR REPLACE TEMP TABLE ${this.quoteIdentifier(landing.name)} (${columns
          .map((column, index) => `${this.quoteIdentifier(column.name)} ${landingTypes[index]}`)
          .join(', ')})`,
      );
      const appender = await session.connection.createAppender(landing.name, 'temp');
      for (const row of rows) {
        columns.forEach((column, index) => appender.appendValue(landingValue(row[column.name], landingTypes[index] ?? 'VARCHAR') as DuckDBValue));
        appender.endRow();
      }
      appender.flushSync();
      appender.closeSync();
      const casts = columns.map((column) => `CAST(${this.quoteIdentifier(column.name)} AS ${column.type})`).join(', ');
      await session.execute(`INSERT INTO ${this.quoteRelation(target)} SELECT ${casts} FROM temp.${this.quoteIdentifier(landing.name)}`);
      await session.execute(`DROP TABLE temp.${this.quoteIdentifier(landing.name)}`);
    }, options.signal);
  }

  async rowCount(ref: RelationRef): Promise<number> {
    const [row] = await this.query(`SELECT count(*) AS n FROM ${this.quoteRelation(ref)}`);
    return Number(row?.n ?? 0);
  }

  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.withSession((session) => session.query(sql, params));
  }

  private async run(sql: string, params: unknown[] = [], searchSchema?: string, signal?: AbortSignal): Promise<void> {
    await this.withSession(async (session) => {
      if (searchSchema !== undefined) await session.setSearchPath(searchSchema);
      await session.execute(sql, params);
    }, signal);
  }

  /** Runs `work` on a fresh session; an abort of `signal` interrupts whatever it is running. */
  private async withSession<T>(work: (session: DuckDBSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const session = await this.session();
    const interrupt = (): void => session.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      const result = await work(session);
      signal?.throwIfAborted();
      return result;
    } catch (error) {
      // An interrupted statement reports "INTERRUPT"; the abort reason says why it was stopped.
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', interrupt);
      await session.close();
    }
  }
}

type LandingType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP' | 'VARCHAR';

function landingType(type: string): LandingType {
  const base = type.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|UTINYINT|USMALLINT|UINTEGER)\b/.test(base)) return 'BIGINT';
  if (/^(DOUBLE|FLOAT|REAL)\b/.test(base)) return 'DOUBLE';
  if (base.startsWith('BOOL')) return 'BOOLEAN';
  if (base.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return 'VARCHAR';
}

function landingValue(value: unknown, type: LandingType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'BIGINT':
      return typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
    case 'DOUBLE':
      return Number(value);
    case 'BOOLEAN':
      return Boolean(value);
    case 'TIMESTAMP': {
      const date = value instanceof Date ? value : new Date(String(value));
      return timestampValue(BigInt(date.getTime()) * 1000n);
    }
    default:
      if (value instanceof Date) return value.toISOString();
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
