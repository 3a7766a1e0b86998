/**
 * PostgreSQL cannot read the files on Weir's machine, so file sources are read by DuckDB in this
 * process, with the same readers and the same file-and-line errors as the DuckDB engine, and
 * written as one CSV that `COPY ... FROM STDIN` then streams in unparsed. No value passes through
 * JavaScript on the way.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { FileReadOptions } from '../engine-adapter.js';
import { explainReadError, readerCall } from '../duckdb/duckdb-file-reader.js';
import { DuckDBSession, quoteDuckDBLiteral } from '../duckdb/duckdb-session.js';
import type { CopyColumn } from './postgres-copy.js';
import { quoteIdentifier } from './postgres-session.js';
import { toPostgresType } from './postgres-types.js';

/** The CSV written by {@link FileExporter.exportCsv} and the columns it holds, in order. */
export interface ExportedFiles {
  csvPath: string;
  columns: CopyColumn[];
}

/** An in-memory DuckDB, opened on first use, that turns file sources into one CSV for COPY. */
export class FileExporter {
  private instance: Promise<DuckDBInstance> | undefined;

  /**
   * Reads the files of `options` and writes them to `dir/data.csv` (no header, empty for NULL,
   * `""` for an empty string: PostgreSQL's CSV conventions). Reader errors name the file and line;
   * an abort of `signal` interrupts the read and rejects with its reason.
   *
   * @example
   * ```ts
   * const { csvPath, columns } = await exporter.exportCsv({ format: 'csv', paths: ['/data/orders.csv'] }, tmp);
   * ```
   */
  async exportCsv(options: FileReadOptions, dir: string, signal?: AbortSignal): Promise<ExportedFiles> {
    this.instance ??= DuckDBInstance.create(':memory:');
    const session = new DuckDBSession(await (await this.instance).connect(), () => undefined);
    const interrupt = (): void => session.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      const call = readerCall(options);
      const csvPath = join(dir, 'data.csv');
      try {
        const described = await session.query(`DESCRIBE SELECT * FROM ${call.sql}`, call.params);
        const columns = described.map((row) => exportedColumn(String(row.column_name), String(row.column_type)));
        const select = columns.map((column) => `${column.select} AS ${quoteIdentifier(column.name)}`).join(', ');
        await session.execute(
          `COPY (SELECT ${select} FROM ${call.sql}) TO ${quoteDuckDBLiteral(csvPath)} (FORMAT csv, HEADER false)`,
          call.params,
        );
        return { csvPath, columns: columns.map(({ name, postgresType }) => ({ name, postgresType })) };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw await explainReadError(session, options, error);
      }
    } finally {
      signal?.removeEventListener('abort', interrupt);
      await session.close();
    }
  }

  /** Releases the in-memory DuckDB. */
  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance).closeSync();
  }
}

interface ExportedColumn extends CopyColumn {
  /** The DuckDB expression whose CSV text PostgreSQL reads as `postgresType`. */
  select: string;
}

/**
 * How one column crosses over. Scalars keep their type, since DuckDB's CSV text of them is what
 * PostgreSQL reads; nested values (lists, structs, maps) become jsonb, blobs hex-encoded bytea.
 */
function exportedColumn(name: string, duckType: string): ExportedColumn {
  const column = quoteIdentifier(name);
  if (/^(STRUCT|MAP|UNION)\(|\]$/.test(duckType)) return { name, postgresType: 'jsonb', select: `to_json(${column})` };
  if (duckType === 'BLOB') return { name, postgresType: 'bytea', select: `'\\x' || hex(${column})` };
  if (duckType === 'TIME WITH TIME ZONE') return { name, postgresType: 'timetz', select: column };
  if (duckType === 'TIMESTAMP WITH TIME ZONE') return { name, postgresType: 'timestamptz', select: column };
  if (duckType.startsWith('ENUM(') || duckType === 'BIT') return { name, postgresType: 'text', select: `CAST(${column} AS VARCHAR)` };
  try {
    return { name, postgresType: toPostgresType(duckType, name), select: column };
  } catch {
    return { name, postgresType: 'text', select: `CAST(${column} AS VARCHAR)` };
  }
}
