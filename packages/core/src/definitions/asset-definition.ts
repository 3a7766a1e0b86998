/**
 * `defineAsset`: how a TypeScript asset is declared. The definition is inert data plus a `run`
 * function; Weir reads the data when it loads the project and calls `run` inside a worker thread
 * (the user-code boundary), so a throw or a hang in user code fails one step, never Weir.
 */

import type { CheckDeclaration } from './define-check.js';

/** A row produced or read by a TypeScript asset. */
export type AssetRow = Record<string, unknown>;

/** What a TypeScript asset's `run` function receives. */
export interface AssetContext {
  /** The asset's name. */
  readonly asset: string;
  /** The run this build belongs to. */
  readonly runId: string;
  /** Runs a SQL query against the warehouse (inputs are visible by their plain names) and returns its rows. */
  sql(query: string, params?: unknown[]): Promise<AssetRow[]>;
  /** Reads an input asset in batches, so large inputs never sit in memory at once. */
  read(input: string, options?: { batchSize?: number }): AsyncIterable<AssetRow[]>;
  /** Appends rows to the version being built. Call as often as needed; returned rows are appended too. */
  append(rows: AssetRow[]): Promise<void>;
  /** Writes a line to the run's log. */
  log(message: string): void;
  /**
   * The partition being built, for an asset with `partitionedBy` (absent otherwise). Fetch only
   * its slice: every row returned must fall inside it, or the partition fails.
   */
  readonly partition?: AssetPartition;
}

/**
 * One partition of a partitioned TypeScript asset. A time partition owns the half-open window
 * `start <= column < end`; `start` and `end` are instants, `localStart` and `localEnd` the same
 * bounds as wall-clock text of the declared time zone (what a `DATE` or `TIMESTAMP` column holds).
 */
export type AssetPartition =
  | {
      readonly kind: 'time';
      /** The partition's key: `2026-03-01` (day), `2026-03` (month), `2026-03-01T06:00+00:00` (hour). */
      readonly key: string;
      readonly column: string;
      readonly granularity: 'hour' | 'day' | 'month';
      readonly start: Date;
      readonly end: Date;
      /** `start` as ISO 8601 text in UTC (`2026-02-28T23:00:00.000Z`). */
      readonly startIso: string;
      /** `end` as ISO 8601 text in UTC. */
      readonly endIso: string;
      /** `2026-03-01 00:00:00`, local to the declared time zone. */
      readonly localStart: string;
      readonly localEnd: string;
    }
  | { readonly kind: 'values'; readonly key: string; readonly column: string; readonly value: string };

/**
 * How a TypeScript asset is cut into partitions: by time (one per hour, day or month of `column`
 * from `start`, in `timezone`, default UTC) or by a fixed list of `values` of `column`. Each
 * partition is built by its own call of `run`, with `ctx.partition` set.
 */
export type AssetPartitioning =
  | { column: string; granularity: 'hour' | 'day' | 'month'; start: string; end?: string; timezone?: string }
  | { column: string; values: string[] };

/** A column of an input asset, written `asset.column` (the asset as named in `inputs`). */
export type InputColumn = `${string}.${string}`;

/**
 * Where one output column's values come from: `{ exact: 'orders.id' }` when copied unchanged
 * (maybe renamed), else the input columns it is computed from (`[]` for a constant).
 */
export type ColumnLineageDeclaration = { readonly exact: InputColumn } | readonly InputColumn[];

/** Options of a TypeScript asset, mirroring a SQL model's header block. */
export interface AssetOptions {
  /** The asset name; defaults to the file name without `.ts`. */
  name?: string;
  /** Assets this one reads. They are built (and published) before it runs. */
  inputs?: string[];
  description?: string;
  owner?: string;
  tags?: string[];
  /** Column name to SQL type. When absent, types are inferred from the first rows. */
  columns?: Record<string, string>;
  /** Column descriptions. */
  columnDescriptions?: Record<string, string>;
  /**
   * Column-level lineage, by output column. Optional: without it, the asset's lineage is
   * table-level (each column may come from any input). Columns left out are treated the same way.
   *
   * @example `lineage: { order_id: { exact: 'orders.order_id' }, total: ['orders.quantity', 'orders.unit_price'] }`
   */
  lineage?: Record<string, ColumnLineageDeclaration>;
  /** Checks in the same shape as a model header's `checks:` list; `defineCheck` types them. */
  checks?: Array<CheckDeclaration | Record<string, unknown>>;
  /** Attempts after the first failure. */
  retries?: number;
  /** Seconds before the build is stopped. */
  timeoutSeconds?: number;
  /**
   * Build the asset one partition at a time: each `run` gets `ctx.partition` and returns only
   * that partition's rows, which replace the partition's rows of the table.
   *
   * @example `partitionedBy: { column: 'day', granularity: 'day', start: '2026-01-01' }`
   */
  partitionedBy?: AssetPartitioning;
  /** Builds the asset: return rows, append them through the context, or both. */
  run(context: AssetContext): Promise<AssetRow[] | void> | AssetRow[] | void;
}

/** The marker that tells the loader an export is an asset definition. */
export const ASSET_DEFINITION_MARKER = '__weirAsset';

/** A TypeScript asset definition as returned by {@link defineAsset}. */
export type AssetDefinition = AssetOptions & { readonly [ASSET_DEFINITION_MARKER]: true };

/**
 * Declares a TypeScript asset. Export the result from a file under `models/`.
 *
 * @example
 * ```ts
 * import { defineAsset } from 'weir';
 *
 * export const order_totals = defineAsset({
 *   inputs: ['orders'],
 *   async run(ctx) {
 *     return ctx.sql('select customer_id, sum(amount) as total from orders group by 1');
 *   },
 * });
 * ```
 */
export function defineAsset(options: AssetOptions): AssetDefinition {
  return { ...options, [ASSET_DEFINITION_MARKER]: true };
}

/** True when `value` was made by {@link defineAsset}. */
export function isAssetDefinition(value: unknown): value is AssetDefinition {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[ASSET_DEFINITION_MARKER] === true;
}
