/**
 * One DuckDB connection as an {@link EngineSession}. Sessions are cheap: one connection each, all
 * on the process's single database instance (DuckDB allows one writing process per file).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnInfo, EngineSession, RelationRef, Row } from '../engine-adapter.js';
import { assertSqlTypeName } from '../sql-type-name.js';
import { appendRows } from './duckdb-bulk-insert.js';
import { exactValueConverter, toDuckDBParams, toPlainRows } from './duckdb-values.js';

/** Wraps a connection. `onClose` lets the adapter forget it. */
export class DuckDBSession implements EngineSession {
  readonly connection: DuckDBConnection;
  private readonly onClose: (session: DuckDBSession) => void;

  constructor(connection: DuckDBConnection, onClose: (session: DuckDBSession) => void) {
    this.connection = connection;
    this.onClose = onClose;
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql, toDuckDBParams(params));
    return toPlainRows(reader.convertRowObjects(exactValueConverter) as Row[]);
  }

  async execute(sql: string, params: unknown[] = []): Promise<void> {
    await this.connection.run(sql, params.length > 0 ? toDuckDBParams(params) : undefined);
  }

  async *streamRows(sql: string, batchSize: number): AsyncIterable<Row[]> {
    const result = await this.connection.stream(sql);
    let batch: Row[] = [];
    for await (const rows of result.yieldConvertedRowObjects(exactValueConverter)) {
      for (const row of toPlainRows(rows as Row[])) {
        batch.push(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }

  async setSearchPath(schema: string): Promise<void> {
    // search_path is a comma-separated list of identifiers: a schema named "a,b" must stay one name.
    await this.connection.run(`SET search_path = ${quoteDuckDBLiteral(`"${schema.replaceAll('"', '""')}"`)}`);
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const result = await work();
      await this.connection.run('COMMIT');
      return result;
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async appendRows(target: RelationRef, columns: ColumnInfo[], rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    await appendRows(this, `${quoteDuckDBIdentifier(target.schema)}.${quoteDuckDBIdentifier(target.name)}`, columns, rows);
  }

  typeSql(type: string, column = '?'): string {
    return assertSqlTypeName(type, column);
  }

  /** Stops the statement running on this session, if any (used by cancellation and timeouts). */
  interrupt(): void {
    this.connection.interrupt();
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.onClose(this);
  }
}

/** Quotes a string literal for DuckDB (used only where DuckDB cannot bind a parameter, such as SET). */
export function quoteDuckDBLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function quoteDuckDBIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
