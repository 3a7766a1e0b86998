/**
 * One pooled PostgreSQL connection as an {@link EngineSession}. The connection is held from
 * `session()` to `close()`, so a search path or a transaction set on it applies to every later
 * statement of the session; on close it goes back to the pool with its search path reset.
 */
import type { PoolClient, QueryResult } from 'pg';
import { WeirError } from '../../errors/weir-error.js';
import type { ColumnInfo, EngineSession, RelationRef, Row } from '../engine-adapter.js';
import { copyRows } from './postgres-copy.js';
import { toPostgresType } from './postgres-types.js';
import { bindParams } from './postgres-values.js';

/** What the adapter gives a session: how to report its failures and how to hand the connection back. */
export interface PostgresSessionOwner {
  /** Turns a driver error into the error the caller sees (connection failures become `ENGINE_UNAVAILABLE`). */
  translate(error: unknown): unknown;
  /** Returns the connection to the pool; `broken` destroys it instead. */
  release(session: PostgresSession, broken: Error | undefined): void;
  /** Cancels the statement of a backend from another connection. */
  cancel(backendPid: number | undefined): Promise<void>;
}

let cursorCounter = 0;

/** A pooled connection held for the life of the session. */
export class PostgresSession implements EngineSession {
  readonly client: PoolClient;
  private readonly owner: PostgresSessionOwner;
  private depth = 0;
  private searchPathChanged = false;
  private broken: Error | undefined;
  private closed = false;
  private readonly onError = (error: Error): void => {
    // A backend that dies while the session is held must not crash the process; the session is
    // marked broken, its next statement fails, and the pool discards the connection on close.
    this.broken = error;
  };

  constructor(client: PoolClient, owner: PostgresSessionOwner) {
    this.client = client;
    this.owner = owner;
    client.on('error', this.onError);
  }

  async interrupt(): Promise<void> {
    await this.owner.cancel(this.backendPid);
  }

  /** The server process serving this session, for cancelling its statement from another connection. */
  get backendPid(): number | undefined {
    const pid = (this.client as unknown as { processID?: unknown }).processID;
    return typeof pid === 'number' ? pid : undefined;
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    const result = await this.run(sql, params);
    // A multi-statement string (no parameters) answers with one result per statement.
    const last = Array.isArray(result) ? (result as QueryResult[]).at(-1) : result;
    return (last?.rows ?? []) as Row[];
  }

  async execute(sql: string, params: unknown[] = []): Promise<void> {
    await this.run(sql, params);
  }

  /**
   * Reads through a server-side cursor, so only one batch is ever in memory. A cursor lives in a
   * transaction: the session's own when one is open, otherwise one opened for the stream.
   */
  async *streamRows(sql: string, batchSize: number): AsyncIterable<Row[]> {
    const size = Math.max(1, Math.floor(batchSize));
    const cursor = `weir_cursor_${++cursorCounter}`;
    const ownTransaction = this.depth === 0;
    if (ownTransaction) await this.run('BEGIN');
    this.depth += 1;
    let finished = false;
    try {
      await this.run(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`);
      for (;;) {
        const rows = await this.query(`FETCH FORWARD ${size} FROM ${cursor}`);
        if (rows.length > 0) yield rows;
        if (rows.length < size) break;
      }
      await this.run(`CLOSE ${cursor}`);
      finished = true;
    } finally {
      this.depth -= 1;
      // Early exit (the consumer stopped, or a statement failed): the transaction is only a
      // cursor's home, so rolling it back loses nothing and also drops the cursor.
      if (ownTransaction) await this.run(finished ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
      else if (!finished) await this.run(`CLOSE ${cursor}`).catch(() => undefined);
    }
  }

  async setSearchPath(schema: string): Promise<void> {
    // set_config binds the value, where SET would need it spliced into the statement.
    await this.run('SELECT set_config($1, $2, false)', ['search_path', quoteIdentifier(schema)]);
    this.searchPathChanged = true;
  }

  /** Nested calls become savepoints, so a helper may open a transaction without asking whether one is open. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const savepoint = this.depth === 0 ? undefined : `weir_savepoint_${this.depth}`;
    const rollback = async (): Promise<void> => {
      await this.run(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : 'ROLLBACK').catch(() => undefined);
    };
    await this.run(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN');
    this.depth += 1;
    let result: T;
    try {
      result = await work();
    } catch (error) {
      this.depth -= 1;
      await rollback();
      throw error;
    }
    this.depth -= 1;
    const committed = await this.run(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT').catch(async (error: unknown) => {
      await rollback();
      throw error;
    });
    // PostgreSQL answers COMMIT of a transaction in which a statement failed (and `work` caught
    // the error) with a silent ROLLBACK; the caller must not believe its work was kept.
    if (!Array.isArray(committed) && committed.command === 'ROLLBACK') {
      throw new WeirError('SQL_EXECUTION', 'the transaction was rolled back because a statement in it failed');
    }
    return result;
  }

  async appendRows(target: RelationRef, columns: ColumnInfo[], rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.broken) throw this.owner.translate(this.broken);
    const copyColumns = columns.map((column) => ({ name: column.name, postgresType: toPostgresType(column.type, column.name) }));
    const names = columns.map((column) => quoteIdentifier(column.name)).join(', ');
    try {
      await copyRows(this.client, `COPY ${quoteIdentifier(target.schema)}.${quoteIdentifier(target.name)} (${names}) FROM STDIN`, copyColumns, rows);
    } catch (error) {
      throw this.owner.translate(error);
    }
  }

  typeSql(type: string, column = '?'): string {
    return toPostgresType(type, column);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A pooled connection must go back as a fresh one: no open transaction (a stream abandoned
    // mid-way leaves one), no search path of this session.
    const reset = [...(this.depth > 0 ? ['ROLLBACK'] : []), ...(this.searchPathChanged ? ['RESET search_path'] : [])];
    for (const statement of this.broken === undefined ? reset : []) {
      await this.client.query(statement).catch((error: unknown) => {
        this.broken = error instanceof Error ? error : new Error(String(error));
      });
    }
    this.client.removeListener('error', this.onError);
    this.owner.release(this, this.broken);
  }

  private async run(sql: string, params: unknown[] = []): Promise<QueryResult | QueryResult[]> {
    if (this.broken) throw this.owner.translate(this.broken);
    try {
      return params.length === 0 ? await this.client.query(sql) : await this.client.query(sql, bindParams(params));
    } catch (error) {
      throw this.owner.translate(error);
    }
  }
}

/** Quotes an identifier for PostgreSQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
