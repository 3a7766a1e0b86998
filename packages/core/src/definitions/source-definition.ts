/**
 * `defineSource`: how a TypeScript source is declared, for APIs and systems no YAML template fits.
 * The definition is inert data plus a `read` generator; Weir reads the data when it loads the
 * project and calls `read` inside a worker thread (the user-code boundary). The records `read`
 * yields go through the same loader as HTTP and stream records: schema policy, dead letters,
 * versions.
 */

import type { CheckDeclaration } from './define-check.js';

/** A record yielded by a TypeScript source: a plain JSON object (nested objects become columns). */
export type SourceRecord = Record<string, unknown>;

/** What a TypeScript source's `read` receives. */
/**
 * The part of an `AbortSignal` a source's `read` may use. Spelled out so that project code type-checks
 * without Node's or the DOM's type libraries (definitions depend on nothing).
 */
export interface SourceAbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  throwIfAborted(): void;
}

export interface SourceContext {
  /**
   * The largest value of the `incremental.cursor` field loaded so far (timestamps as ISO 8601 UTC,
   * `2026-11-21T10:00:00Z`), or null on the first load and for sources that are not incremental.
   */
  readonly highWaterMark: string | null;
  /** Writes a line to the run's log. */
  log(message: string): void;
  /** Aborted when the load is stopped (timeout, cancel); pass it to `fetch` and the like. */
  readonly signal: SourceAbortSignal;
  /** The environment variables of the run, for credentials (never put secrets in the file). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What `read` yields: a batch of records (an array), or one record at a time. */
export type SourceYield = readonly unknown[] | SourceRecord;

/** What a record fits to its table under: see the schema policy in `docs/ingestion.md`. */
export type SourceSchemaPolicy = 'evolve' | 'freeze' | 'discard_row' | 'discard_value';

/** Options of a TypeScript source. */
export interface SourceOptions {
  /** The asset name; defaults as for `defineAsset` (the file name, or the export name when a file has several definitions). */
  name?: string;
  description?: string;
  owner?: string;
  tags?: string[];
  /** What happens when records stop matching the loaded table (default `evolve`). */
  schema?: SourceSchemaPolicy;
  /** Record fields (dotted paths for nested ones) that identify a record: incremental loads replace loaded records with the same key. */
  primaryKey?: string[] | string;
  /**
   * Load only what is new: `ctx.highWaterMark` is the largest `cursor` value loaded so far, and
   * each load is merged into the previous version (by `primaryKey`, or appended without one).
   */
  incremental?: { cursor: string };
  /** Column descriptions. */
  columnDescriptions?: Record<string, string>;
  /** Checks in the same shape as a model header's `checks:` list; `defineCheck` types them. */
  checks?: Array<CheckDeclaration | Record<string, unknown>>;
  /** Attempts after the first failure. */
  retries?: number;
  /** Seconds before the load is stopped. */
  timeoutSeconds?: number;
  /** Reads the source: yield batches of records (arrays) or single records, from an `async *read(ctx)` generator. */
  read(context: SourceContext): AsyncIterable<SourceYield> | Iterable<SourceYield>;
}

/** The marker that tells the loader an export is a source definition. */
export const SOURCE_DEFINITION_MARKER = '__weirSource';

/** A TypeScript source definition as returned by {@link defineSource}. */
export type SourceDefinition = SourceOptions & { readonly [SOURCE_DEFINITION_MARKER]: true };

/**
 * Declares a TypeScript source. Export the result from a file under `models/`.
 *
 * @example
 * ```ts
 * import { defineSource } from 'weir';
 *
 * export const crm_contacts = defineSource({
 *   primaryKey: ['id'],
 *   incremental: { cursor: 'updated_at' },
 *   async *read(ctx) {
 *     for (let page = 1; ; page++) {
 *       const answer = await fetch(`https://crm.example/contacts?page=${page}&since=${ctx.highWaterMark ?? ''}`, { signal: ctx.signal });
 *       const records = (await answer.json()) as object[];
 *       if (records.length === 0) return;
 *       yield records;
 *     }
 *   },
 * });
 * ```
 */
export function defineSource(options: SourceOptions): SourceDefinition {
  return { ...options, [SOURCE_DEFINITION_MARKER]: true };
}

/** True when `value` was made by {@link defineSource}. */
export function isSourceDefinition(value: unknown): value is SourceDefinition {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SOURCE_DEFINITION_MARKER] === true;
}
