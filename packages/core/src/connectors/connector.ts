/**
 * The connector contract: what a source system must offer for Weir to load a table from it. The
 * loader (`ingest-table.ts`) owns the algorithm (full refresh, incremental by cursor, merge by
 * key) and the warehouse side; a connector only describes and streams what it is asked for, so
 * every connector gets the same exactly-once behaviour.
 */
import type { Readable } from 'node:stream';
import type { ColumnInfo } from '../engines/engine-adapter.js';

/** What a connector can do; the loader refuses a table whose mode needs more. */
export interface ConnectorCapabilities {
  /** Reads the whole table again. */
  fullRefresh: boolean;
  /** Reads only rows whose cursor column is past a high-water mark. */
  incrementalByCursor: boolean;
  /** Rows carry a primary key, so re-read rows replace their earlier versions. */
  mergeByKey: boolean;
  /** Reads inserts, updates and deletes from the system's change log. */
  changeDataCapture: boolean;
  /** Reads a stream of messages continuously. */
  streaming: boolean;
}

/** What to read: a table (`schema.name` or `name`) or a query, and which rows of it. */
export interface ReadRequest {
  /** The relation or query, as the source system's SQL: `"public"."orders"` or `(SELECT ...)`. */
  from: string;
  /** Only rows whose `cursor.column` is greater than (or, with `inclusive`, at least) `cursor.after`. */
  cursor?: { column: string; after: unknown; inclusive?: boolean };
}

/** A source system that can describe a relation and stream its rows as CSV. */
export interface TableConnector {
  /** `postgres`, `mysql`, ...: names the system in messages. */
  readonly type: string;
  readonly capabilities: ConnectorCapabilities;
  /** The columns of `from` with their types as DuckDB spells them (the warehouse's lingua franca). */
  describe(from: string): Promise<ColumnInfo[]>;
  /**
   * The rows of `request`, columns in `columns` order, as CSV without a header (NULL an unquoted
   * empty field, the empty string `""`). The stream errors if the source fails part-way.
   */
  readCsv(request: ReadRequest, columns: readonly ColumnInfo[]): Promise<Readable>;
  /** The largest value of `column` in `from` (null when it is empty): a cheap probe of new rows. */
  maxOf(from: string, column: string): Promise<unknown>;
  /** Releases connections; the connector is unusable afterwards. */
  close(): Promise<void>;
}
