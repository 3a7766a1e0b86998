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
}

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
