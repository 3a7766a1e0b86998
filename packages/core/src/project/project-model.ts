/**
 * A loaded, validated project: what `loadProject` returns and everything else consumes. Paths are
 * absolute unless named `relative`; every asset remembers the file (and line) it came from so
 * later errors can point at it.
 */
import type { HttpSourceConfig } from '../connectors/http/http-source-config.js';
import type { CheckSpec } from '../definitions/check-spec.js';
import type { FileReadOptions } from '../engines/engine-adapter.js';
import type { SourceLocation } from '../errors/weir-error.js';
import type { PartitionSpec } from '../partitions/partition-spec.js';
import type { NotificationSpec } from './notification-specs.js';
import type { OpenLineageSpec } from './openlineage-spec.js';
import type { ScheduleSpec, SensorSpec } from './trigger-specs.js';

/** Where the warehouse lives. */
export type WarehouseConfig =
  | { engine: 'duckdb'; path: string; threads?: number; memoryLimit?: string }
  | { engine: 'postgres'; url: string };

/** Where Weir keeps its state (event log and projections). */
export type StateConfig = { store: 'sqlite'; path: string } | { store: 'postgres'; url: string; schema: string };

/** Project-wide defaults, overridable per asset where it makes sense. */
export interface ProjectDefaults {
  materialization: Materialization;
  concurrency: number;
  retries: number;
  retryDelaySeconds: number;
  timeoutSeconds: number;
  /** The longest a whole run may take (`run_timeout`); no limit when unset. */
  runTimeoutSeconds?: number;
  /** How many unpublished old versions of each asset `weir gc` keeps. */
  retainVersions: number;
}

export type Materialization = 'view' | 'table' | 'incremental';

/** How an incremental asset adds its new rows. */
export interface IncrementalConfig {
  strategy: 'append' | 'merge';
  uniqueKey: string[];
  /** When set, only rows whose cursor exceeds the current version's maximum are taken. */
  cursor?: string;
}

/** Fields every asset kind shares. */
interface AssetBase {
  name: string;
  /** Path relative to the project root, for messages. */
  file: string;
  /** 1-based line of the definition in `file`. */
  line: number;
  description?: string;
  owner?: string;
  tags: string[];
  columns: Record<string, { description?: string }>;
  checks: CheckSpec[];
  retries?: number;
  timeoutSeconds?: number;
}

/** A SQL model: one file under `models/`. */
export interface SqlAsset extends AssetBase {
  kind: 'sql';
  materialization: Materialization;
  incremental?: IncrementalConfig;
  /** The model's SQL without the header block. */
  sql: string;
  /** The line in `file` where `sql` begins, to map engine errors back to the file. */
  sqlStartLine: number;
  /** Inputs found by parsing the SQL, or declared in the header when the parser cannot read it. */
  inputs: string[];
  /** True when `inputs` were declared instead of parsed. */
  inputsDeclared: boolean;
  /**
   * Every unqualified reference to another asset in `sql`, by character offset into `sql`. The
   * builder rewrites exactly these spans to the upstream's physical version, so a version is
   * pinned to the upstream versions in its fingerprint. Empty when inputs were declared.
   */
  references: TableReference[];
  /** Set: the asset is built one partition at a time (`partitioned_by`); its version holds every partition. */
  partitionedBy?: PartitionSpec;
  /** Where `partitioned_by` is written, for errors about it. */
  partitionedAt?: SourceLocation;
  /** The concurrency pool its queued jobs count against (`pool:` in the header; declared in weir.yaml). */
  pool?: string;
  /** Where `pool` is written. */
  poolAt?: SourceLocation;
}

/** One reference to an asset inside a model's SQL. */
export interface TableReference {
  /** The asset referred to. */
  asset: string;
  /** Character offset of the name in the model's SQL (after the header block). */
  offset: number;
  /** Length of the name as written (with quotes, if any). */
  length: number;
  /**
   * True when the query gives the table an alias. An unaliased reference is rewritten as
   * `<physical> AS <name as written>`, so columns qualified by the name (`orders.id`) still bind.
   */
  aliased: boolean;
}

/** A TypeScript asset made with `defineAsset`. */
export interface TypeScriptAsset extends AssetBase {
  kind: 'typescript';
  materialization: 'table';
  inputs: string[];
  /** Absolute path of the bundled module the worker imports. */
  modulePath: string;
  /** The export name of the definition within the module. */
  exportName: string;
  /** Declared output columns (name to SQL type), if any. */
  outputColumns?: Record<string, string>;
  /** Declared column lineage (`defineAsset({ lineage })`), by output column; absent: table-level only. */
  columnLineage?: Record<string, DeclaredColumnLineage>;
  /** Hash of the bundled code: part of the fingerprint. */
  codeHash: string;
  /** Set: `run` is called once per partition (`defineAsset({ partitionedBy })`); its version holds every partition. */
  partitionedBy?: PartitionSpec;
  /** Where `partitionedBy` is written (the definition's export), for errors about it. */
  partitionedAt?: SourceLocation;
}

/** An asset built one partition at a time: a SQL model or a TypeScript asset that declares how it is cut. */
export type PartitionedAsset = (SqlAsset | TypeScriptAsset) & { partitionedBy: PartitionSpec };

/** Where a TypeScript asset says one of its columns comes from. */
export interface DeclaredColumnLineage {
  /** True when copied unchanged from the one input column in `sources`. */
  exact: boolean;
  /** Input columns; the asset is one of the TypeScript asset's `inputs`. */
  sources: Array<{ asset: string; column: string }>;
}

/** A table read from files, declared in `sources/*.yaml`. */
export interface FileSourceAsset extends AssetBase {
  kind: 'source';
  materialization: 'table';
  source: string;
  read: FileReadOptions;
  /**
   * Absent: every build loads every file (`load: all`). Set (`load: new_files`): a build copies
   * the version it extends and adds the rows of the files new or changed since it.
   */
  newFiles?: NewFilesLoad;
  inputs: [];
}

/** How a `load: new_files` table treats files. */
export interface NewFilesLoad {
  /** What happens to the rows of a file that is gone: kept (and logged), or removed. */
  onDeletedFile: 'keep' | 'remove';
}

/** A table loaded from a database (`sources/*.yaml` with a `connection`). */
export interface DatabaseSourceAsset extends AssetBase {
  kind: 'database';
  materialization: 'table';
  source: string;
  connection: DatabaseConnection;
  /** What to read, in the source's SQL: a quoted relation or a parenthesised query. */
  from: string;
  /** Absent: every load reads the whole table. */
  incremental?: IncrementalLoad;
  /** What an incremental load does when the source's columns changed (default `evolve`). */
  schemaPolicy?: 'evolve' | 'freeze';
  /** Change data capture (PostgreSQL): inserts, updates and deletes read from a logical replication slot. */
  cdc?: ChangeDataCapture;
  inputs: [];
}

/** Loading a table by change data capture: a copy once, then its changes from a replication slot. */
export interface ChangeDataCapture {
  /** Keep every version of every row in `weir_ingest.<asset>__history`. */
  history: boolean;
  /** The logical replication slot (default `weir_<asset>`). */
  slot: string;
  /** The publication of the table (default `weir_<asset>`; created when missing). */
  publication: string;
}

/** How to reach a source database. */
export interface DatabaseConnection {
  /** `mysql` covers MariaDB too (same protocol and SQL for what Weir reads). */
  type: 'postgres' | 'mysql';
  /** The connection string with its `${ENV}` references unresolved (no secret is ever stored). */
  url: string;
}

/** Loading only new and changed rows. */
export interface IncrementalLoad {
  /** The column whose largest loaded value is the high-water mark. */
  cursor: string;
  /** Rows this far behind the mark are read again (and merged by key): seconds for time cursors, an amount for numeric ones. */
  lookback?: { seconds: number } | { amount: number };
  /** Re-read rows replace the loaded rows with the same key; without a key, rows are appended. */
  primaryKey: string[];
}

/** A table loaded from a message broker (`sources/*.yaml` with a broker `connection`). */
export interface StreamSourceAsset extends AssetBase {
  kind: 'stream';
  materialization: 'table';
  source: string;
  connection: StreamConnection;
  /** Where on the broker to read, in the broker's terms (see {@link StreamRead}). */
  read: StreamRead;
  /** A batch closes at `maxMessages` or after `maxWaitMs` without a message; a run loads at most `maxMessagesPerRun`. */
  batch: { maxMessages: number; maxWaitMs: number; maxMessagesPerRun?: number };
  /** What happens when messages stop matching the loaded table. */
  schemaPolicy: 'evolve' | 'freeze' | 'discard_row' | 'discard_value';
  /** A payload field that identifies a message (brokers whose own ids are payload hashes need one for identical payloads). */
  idField?: string;
  inputs: [];
}

/** How to reach a broker. */
export interface StreamConnection {
  type: 'nats' | 'redis' | 'rabbitmq' | 'mqtt' | 'kafka';
  /** `nats://`, `redis://`, `amqp://`, `mqtt://` URL, or `kafka://host:port,host:port`, with `${ENV}` references unresolved. */
  url: string;
}

/** Where a stream table reads: JetStream stream, subject filter and durable consumer; Redis stream key; RabbitMQ queue; MQTT or Kafka topic (and Kafka consumer group). */
export interface StreamRead {
  stream?: string;
  subject?: string;
  consumer?: string;
  key?: string;
  queue?: string;
  topic?: string;
  group?: string;
}

/** A table loaded from a JSON HTTP API (`sources/*.yaml`, a table with `http:`). */
export interface HttpSourceAsset extends AssetBase {
  kind: 'http';
  materialization: 'table';
  source: string;
  /** The request, pagination, auth and retry settings, `${ENV}` references unresolved. */
  request: HttpSourceConfig;
  /** What happens when records stop matching the loaded table. */
  schemaPolicy: 'evolve' | 'freeze' | 'discard_row' | 'discard_value';
  /** Incremental loads replace loaded records with the same key; without one, records are appended. */
  primaryKey: string[];
  inputs: [];
}

/** A table loaded by a TypeScript source made with `defineSource`. */
export interface TypeScriptSourceAsset extends AssetBase {
  kind: 'typescript_source';
  materialization: 'table';
  /** Absolute path of the bundled module the worker imports. */
  modulePath: string;
  /** The export name of the definition within the module. */
  exportName: string;
  /** Hash of the bundled code: part of the fingerprint. */
  codeHash: string;
  /** What happens when records stop matching the loaded table. */
  schemaPolicy: 'evolve' | 'freeze' | 'discard_row' | 'discard_value';
  /** Record fields (dotted paths) that identify a record; incremental loads merge by them, or append without. */
  primaryKey: string[];
  /** Set: each load reads past the high-water mark of `cursor` (a record field) and extends the current version. */
  incremental?: { cursor: string };
  inputs: [];
}

/** Any asset of the project. */
export type AssetSpec = SqlAsset | TypeScriptAsset | FileSourceAsset | DatabaseSourceAsset | StreamSourceAsset | HttpSourceAsset | TypeScriptSourceAsset;

/** A whole project. */
export interface Project {
  name: string;
  root: string;
  environment: string;
  warehouse: WarehouseConfig;
  state: StateConfig;
  defaults: ProjectDefaults;
  /** Assets by name. */
  assets: Map<string, AssetSpec>;
  /** Source tables left out because environment variables their file requires are not set (`requires_env`). */
  disabled?: Array<{ file: string; tables: string[]; missing: string[] }>;
  /** Cron schedules declared in weir.yaml (`schedules:`); absent when there are none. */
  schedules?: ScheduleSpec[];
  /** Sensors declared in weir.yaml (`sensors:`); absent when there are none. */
  sensors?: SensorSpec[];
  /** Notifications declared in weir.yaml (`notifications:`); absent when there are none. */
  notifications?: NotificationSpec[];
  /** OpenLineage emission declared in weir.yaml (`openlineage:`); absent: no events. */
  openlineage?: OpenLineageSpec;
  /**
   * Concurrency pools declared in weir.yaml (`pools: { prod_db: 2 }`): at most that many queued
   * jobs of assets in the pool run at once, across every worker. Absent when there are none.
   */
  pools?: Record<string, number>;
}
