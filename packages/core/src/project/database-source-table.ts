/**
 * A table of a database source (`sources/*.yaml` with a `connection`): which relation or query it
 * reads and how it loads (whole, or incrementally by a cursor with an optional lookback and key).
 */
import type { ConfigIssue } from './config-issues.js';
import { parseDuration } from './duration.js';
import type { ChangeDataCapture, DatabaseConnection, IncrementalLoad } from './project-model.js';
import type { sourceTableSchema } from './source-schema.js';
import type * as z from 'zod';

type TableConfig = z.infer<typeof sourceTableSchema>;

/** What a database table reads, or the issues that keep it from loading. */
export type DatabaseTableRead = { from: string; incremental?: IncrementalLoad; cdc?: ChangeDataCapture; issues: [] } | { issues: ConfigIssue[] };

/**
 * Reads the database part of one table's config; `tablePath` locates its issues, and
 * `connectionType` decides how a `table:` name is quoted (each source system in its own SQL).
 *
 * @example
 * ```ts
 * databaseTableRead({ name: 'orders', table: 'public.orders' }, ['tables', 0]); // { from: '"public"."orders"', issues: [] }
 * databaseTableRead({ name: 'orders', table: 'shop.orders' }, ['tables', 0], 'mysql'); // { from: '`shop`.`orders`', issues: [] }
 * ```
 */
export function databaseTableRead(config: TableConfig, tablePath: (string | number)[], connectionType: DatabaseConnection['type'] = 'postgres'): DatabaseTableRead {
  const issues: ConfigIssue[] = [];
  const fileKeys = (['path', 'paths', 'format', 'options'] as const).filter((key) => config[key] !== undefined);
  for (const key of fileKeys) {
    issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, key], message: `table "${config.name}": "${key}" is for file sources; this file has a database connection`, hint: 'use "table" or "query"' });
  }
  if ((config.table === undefined) === (config.query === undefined)) {
    const table = connectionType === 'mysql' ? 'database.name' : 'schema.name';
    issues.push({ code: 'CONFIG_INVALID', path: tablePath, message: `table "${config.name}": give exactly one of "table" (${table}) or "query"` });
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
  const cdc = config.cdc === undefined ? undefined : changeDataCapture(config, tablePath, connectionType, issues);
  if (issues.length > 0) return { issues };
  const from = config.table !== undefined ? quoteRelationName(config.table, connectionType) : `(${(config.query as string).trim().replace(/;\s*$/, '')})`;
  return { from, issues: [], ...(incremental === undefined ? {} : { incremental }), ...(cdc === undefined ? {} : { cdc }) };
}

/** `cdc:` with its defaults (`weir_<table>` for the slot and the publication), adding its issues to `issues`. */
function changeDataCapture(config: TableConfig, tablePath: (string | number)[], connectionType: DatabaseConnection['type'], issues: ConfigIssue[]): ChangeDataCapture {
  const path = [...tablePath, 'cdc'];
  if (connectionType !== 'postgres') issues.push({ code: 'CONFIG_INVALID', path, message: `table "${config.name}": CDC is PostgreSQL only for now`, hint: 'load the table with incremental: { cursor } instead' });
  if (config.incremental !== undefined) {
    issues.push({ code: 'CONFIG_INVALID', path, message: `table "${config.name}": "cdc" and "incremental" cannot be used together`, hint: 'CDC reads every insert, update and delete, so it needs no cursor: remove incremental' });
  }
  if (config.query !== undefined) issues.push({ code: 'CONFIG_INVALID', path, message: `table "${config.name}": "cdc" needs "table:" (schema.name), not "query:"`, hint: 'the changes of a query cannot be captured; capture its table and shape it in a model' });
  // Slot names allow only lower-case letters, digits and _; asset names may hold more.
  const fallback = `weir_${config.name.toLowerCase().replaceAll('-', '_')}`.slice(0, 63);
  return { history: config.cdc?.history ?? false, slot: config.cdc?.slot ?? fallback, publication: config.cdc?.publication ?? fallback };
}

/**
 * `schema.name` or `name` as a quoted relation in the source's SQL: double quotes for PostgreSQL,
 * backticks for MySQL (`database.name`); a name already quoted is kept as written.
 */
function quoteRelationName(table: string, connectionType: DatabaseConnection['type']): string {
  const quote = connectionType === 'mysql' ? '`' : '"';
  if (table.includes(quote)) return table;
  return table
    .split('.')
    .map((part) => `${quote}${part}${quote}`)
    .join('.');
}

/** The connection as the asset keeps it. */
export function databaseConnection(config: { type: DatabaseConnection['type']; url: string }): DatabaseConnection {
  return { type: config.type, url: config.url };
}
