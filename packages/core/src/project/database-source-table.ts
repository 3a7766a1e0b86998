/**
 * A table of a database source (`sources/*.yaml` with a `connection`): which relation or query it
 * reads and how it loads (whole, or incrementally by a cursor with an optional lookback and key).
 */
import type { ConfigIssue } from './config-issues.js';
import { parseDuration } from './duration.js';
import type { DatabaseConnection, IncrementalLoad } from './project-model.js';
import type { sourceTableSchema } from './source-schema.js';
import type * as z from 'zod';

type TableConfig = z.infer<typeof sourceTableSchema>;

/** What a database table reads, or the issues that keep it from loading. */
export type DatabaseTableRead = { from: string; incremental?: IncrementalLoad; issues: [] } | { issues: ConfigIssue[] };

/**
 * Reads the database part of one table's config; `tablePath` locates its issues.
 *
 * @example
 * ```ts
 * databaseTableRead({ name: 'orders', table: 'public.orders' }, ['tables', 0]); // { from: '"public"."orders"', issues: [] }
 * ```
 */
export function databaseTableRead(config: TableConfig, tablePath: (string | number)[]): DatabaseTableRead {
  const issues: ConfigIssue[] = [];
  const fileKeys = (['path', 'paths', 'format', 'options'] as const).filter((key) => config[key] !== undefined);
  for (const key of fileKeys) {
    issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, key], message: `table "${config.name}": "${key}" is for file sources; this file has a database connection`, hint: 'use "table" or "query"' });
  }
  if ((config.table === undefined) === (config.query === undefined)) {
    issues.push({ code: 'CONFIG_INVALID', path: tablePath, message: `table "${config.name}": give exactly one of "table" (schema.name) or "query"` });
  }
  let incremental: IncrementalLoad | undefined;
  if (config.incremental !== undefined) {
    const { cursor, lookback, primary_key: key } = config.incremental;
    const primaryKey = key === undefined ? [] : Array.isArray(key) ? key : [key];
    let parsedLookback: IncrementalLoad['lookback'];
    if (typeof lookback === 'number') parsedLookback = { amount: lookback };
    else if (lookback !== undefined) {
      const seconds = parseDuration(lookback);
      if (seconds === undefined) issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, 'incremental', 'lookback'], message: `table "${config.name}": "${lookback}" is not a duration`, hint: 'write e.g. 30m, 6h or 2d (or a number for a numeric cursor)' });
      else parsedLookback = { seconds };
    }
    if (parsedLookback !== undefined && primaryKey.length === 0) {
      issues.push({
        code: 'CONFIG_INVALID',
        path: [...tablePath, 'incremental', 'lookback'],
        message: `table "${config.name}": a lookback re-reads rows already loaded, so it needs a primary_key to replace them instead of loading them twice`,
        hint: 'add primary_key: <column> under incremental',
      });
    }
    incremental = { cursor, primaryKey, ...(parsedLookback === undefined ? {} : { lookback: parsedLookback }) };
  }
  if (issues.length > 0) return { issues };
  const from = config.table !== undefined ? quoteRelationName(config.table) : `(${(config.query as string).trim().replace(/;\s*$/, '')})`;
  return { from, issues: [], ...(incremental === undefined ? {} : { incremental }) };
}

/** `schema.name` or `name` as a quoted relation; a name already quoted is kept as written. */
function quoteRelationName(table: string): string {
  if (table.includes('"')) return table;
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

/** The connection as the asset keeps it. */
export function databaseConnection(config: { type: 'postgres'; url: string }): DatabaseConnection {
  return { type: config.type, url: config.url };
}
