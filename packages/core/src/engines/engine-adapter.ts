import type { Readable } from 'node:stream';

/**
 * The contract every warehouse engine implements. Materializations, checks and the executor speak
 * only this interface; every dialect difference lives inside an adapter. Compute is pushed down to
 * the engine: Weir moves metadata and small samples, never the data itself.
 */

/** A schema-qualified relation name. Adapters quote both parts; callers never build SQL names. */
export interface RelationRef {
  schema: string;
  name: string;
}

/** One column as the engine reports it. `type` is the engine's own type name, upper-cased. */
export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
}

/** A row as returned by {@link EngineAdapter.query}: column name to a JS value (bigints already converted). */
export type Row = Record<string, unknown>;

/** What an engine can do, declared up front so the planner can refuse a plan before it runs. */
export interface EngineCapabilities {
  /** The engine runs `CREATE OR REPLACE VIEW` (or an equivalent) atomically for readers. */
  atomicViewSwap: boolean;
  /** DDL takes part in transactions (PostgreSQL yes, DuckDB yes for catalog changes). */
  transactionalDdl: boolean;
  /** Merge on a unique key is supported. */
  merge: boolean;
  /** File formats the engine can read directly from a local path. */
  fileFormats: ReadonlyArray<FileFormat>;
  /** Several connections may write at once (a server engine), or only one process may (embedded). */
  concurrentWriters: boolean;
}

/** File formats Weir reads as sources. */
export type FileFormat = 'csv' | 'json' | 'ndjson' | 'parquet';

/** Reader options for a file source; each adapter maps them to its own reader. */
export interface FileReadOptions {
  format: FileFormat;
  /** Absolute paths or globs. */
  paths: string[];
  /** CSV delimiter; default ','. */
  delimiter?: string;
  /** CSV has a header row; default true. */
  header?: boolean;
  /** Column name to SQL type; when given, the reader does not guess types. */
  columns?: Record<string, string>;
  /** Strings read as NULL. */
  nullStrings?: string[];
  /** Date and timestamp formats (strptime style). */
  dateFormat?: string;
  timestampFormat?: string;
}

/** A handle that runs statements on one engine session. Obtained from {@link EngineAdapter.session}. */
export interface EngineSession {
  /** Runs a statement whose result is small (metadata, aggregates, samples). Values are bound, never concatenated. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a statement for its effect. */
  execute(sql: string, params?: unknown[]): Promise<void>;
  /** Streams the rows of a query in batches, for TypeScript assets and exports. */
  streamRows(sql: string, batchSize: number): AsyncIterable<Row[]>;
  /**
   * Makes unqualified table names in later statements resolve in `schema` first. Models are plain
   * SQL that name their inputs without a schema; the environment's schema of views answers them.
   */
  setSearchPath(schema: string): Promise<void>;
  /** Stops the statement this session is running, if any (timeouts, Ctrl-C); the session stays usable. */
  interrupt(): void | Promise<void>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Appends `rows` to the existing table `target` by column name through the engine's bulk path
   * (DuckDB's appender, PostgreSQL's COPY), inside this session's current transaction: loaders
   * that store rows and their source position together rely on that.
   */
  appendRows(target: RelationRef, columns: ColumnInfo[], rows: Row[]): Promise<void>;
  /** The engine's spelling of a column type given as DuckDB spells it, for DDL (`DOUBLE` is `double precision` on PostgreSQL). */
  typeSql(type: string, column?: string): string;
  /** Ends the session. */
  close(): Promise<void>;
}

/**
 * A warehouse engine. Every method that names a relation takes a {@link RelationRef} and quotes it
 * itself. Statements taking `selectSql` receive a complete SELECT written by the user or by Weir.
 * Long-running methods take an optional `signal`: when it aborts, the adapter interrupts the
 * statement (DuckDB: interrupt the connection; PostgreSQL: cancel the backend) and rejects; this
 * is how step timeouts and Ctrl-C stop work without publishing anything half-built.
 */
export interface EngineAdapter {
  readonly kind: string;
  readonly capabilities: EngineCapabilities;

  /** Opens (or reuses) a session. Sessions are cheap on DuckDB; pooled on PostgreSQL. */
  session(): Promise<EngineSession>;
  /** Closes every session and releases the warehouse (for DuckDB: the file lock). */
  close(): Promise<void>;

  /** Quotes an identifier for this engine's dialect. */
  quoteIdentifier(name: string): string;
  /** Quotes a relation as `"schema"."name"`. */
  quoteRelation(ref: RelationRef): string;

  createSchema(schema: string): Promise<void>;
  /** Columns of a table or view, or undefined when it does not exist. */
  describe(ref: RelationRef): Promise<ColumnInfo[] | undefined>;
  /** Relations (tables and views) in a schema, with their kind. */
  listRelations(schema: string): Promise<Array<{ name: string; kind: 'table' | 'view' }>>;
  /**
   * The SQL text of every view in a schema, by view name. This is the warehouse's own word on
   * what an environment serves: gc and runs check it rather than trusting the state alone.
   */
  viewDefinitions(schema: string): Promise<Map<string, string>>;

  /** Creates (or replaces) a table from a SELECT, with unqualified names resolved in `searchSchema`. */
  createTableAs(target: RelationRef, selectSql: string, searchSchema?: string, signal?: AbortSignal): Promise<void>;
  /** Creates (or replaces) a view from a SELECT, with unqualified names resolved in `searchSchema`. */
  createViewAs(target: RelationRef, selectSql: string, searchSchema?: string, signal?: AbortSignal): Promise<void>;
  /** Copies a whole relation into a new table (used to start an incremental version from the last one). */
  cloneTable(source: RelationRef, target: RelationRef, signal?: AbortSignal): Promise<void>;
  /** Appends the rows of `source` to `target` (columns matched by name). */
  appendFrom(target: RelationRef, source: RelationRef, signal?: AbortSignal): Promise<void>;
  /**
   * Merges `source` into `target` on `keys` in one transaction: rows whose keys exist are updated,
   * others are inserted. Requires `capabilities.merge`.
   */
  mergeFrom(target: RelationRef, source: RelationRef, keys: string[], signal?: AbortSignal): Promise<void>;
  /**
   * Points `view` at `target` (`SELECT * FROM target`), atomically for readers. This is the
   * publication step of write-audit-publish.
   */
  pointView(view: RelationRef, target: RelationRef): Promise<void>;
  /** Drops a table or view if it exists. */
  drop(ref: RelationRef, kind: 'table' | 'view'): Promise<void>;
  /** Creates a table from files on the local disk. Errors name the file and line where the engine says. */
  loadFiles(target: RelationRef, options: FileReadOptions, signal?: AbortSignal): Promise<void>;
  /**
   * Creates (or replaces) `target` with `columns` (type names as DuckDB spells them) and fills it
   * from `csv`: CSV without a header, as PostgreSQL's `COPY ... TO STDOUT (FORMAT csv)` writes it
   * (NULL as an unquoted empty field). The engine's own bulk path reads it; no row passes through
   * JavaScript. A stream that fails part-way fails the load.
   */
  loadCsvStream(target: RelationRef, columns: ColumnInfo[], csv: Readable, signal?: AbortSignal): Promise<void>;
  /**
   * Creates `target` with `columns` and appends `rows` in bulk (never one INSERT per row).
   * Used by TypeScript assets; may be called again to append more batches with `append: true`.
   */
  bulkInsert(target: RelationRef, columns: ColumnInfo[], rows: Row[], options: { append: boolean; signal?: AbortSignal }): Promise<void>;
  /** Counts the rows of a relation. */
  rowCount(ref: RelationRef): Promise<number>;
  /**
   * How far the statement this adapter is running for `signal` (the signal passed to one of the
   * long-running methods) has got, for live progress; undefined when nothing runs for it or the
   * engine cannot tell. Optional: engines without progress reporting leave it out.
   */
  statementProgress?(signal: AbortSignal): StatementProgress | undefined;
}

/** Progress of one running statement, as the engine reports it. */
export interface StatementProgress {
  /** Source rows read so far. */
  rowsRead: number;
  /** 0 to 100, or undefined when the engine cannot estimate it. */
  percent: number | undefined;
}
