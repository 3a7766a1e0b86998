/**
 * A table of an HTTP API source (`sources/*.yaml`, a table with `http:`): the request settings are
 * checked by `parseHttpSourceConfig`; this adds the table's own keys (schema policy, primary key)
 * and refuses keys that belong to other kinds of tables.
 */
import { parseHttpSourceConfig, type HttpSourceConfig } from '../connectors/http/http-source-config.js';
import { isWeirError, WeirError } from '../errors/weir-error.js';
import type { ConfigIssue, Locator } from './config-issues.js';
import { ProjectProblems } from './project-problems.js';
import type { HttpSourceAsset } from './project-model.js';
import type { sourceTableSchema } from './source-schema.js';
import type * as z from 'zod';

type TableConfig = z.infer<typeof sourceTableSchema>;

/** An HTTP table's settings, or what is wrong with them. */
export type HttpTableRead =
  | { request: HttpSourceConfig; schemaPolicy: HttpSourceAsset['schemaPolicy']; primaryKey: string[]; issues: []; errors: [] }
  | { issues: ConfigIssue[]; errors: WeirError[] };

/**
 * Reads the HTTP part of one table's config.
 *
 * @example
 * ```ts
 * httpTableRead({ name: 'orders', http: { url: 'https://api.example.com/orders' } }, { file, tablePath, locator, hasConnection: false });
 * ```
 */
export function httpTableRead(config: TableConfig, where: { file: string; tablePath: (string | number)[]; locator: Locator; hasConnection: boolean }): HttpTableRead {
  const { tablePath } = where;
  const issues: ConfigIssue[] = [];
  for (const key of ['path', 'paths', 'format', 'options', 'table', 'query', 'incremental', 'cdc', 'stream', 'batch', 'id_field'] as const) {
    if (config[key] !== undefined) {
      const hint = key === 'incremental' ? 'an HTTP table says how to ask for new records under http: incremental: { param, cursor }' : undefined;
      issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, key], message: `table "${config.name}": "${key}" does not apply to an HTTP table`, ...(hint ? { hint } : {}) });
    }
  }
  if (where.hasConnection) {
    issues.push({ code: 'CONFIG_INVALID', path: [...tablePath, 'http'], message: `table "${config.name}": an HTTP table cannot be in a file with a connection`, hint: 'put HTTP tables in a sources file of their own' });
  }
  let request: HttpSourceConfig | undefined;
  const errors: WeirError[] = [];
  try {
    request = parseHttpSourceConfig(config.http, {
      file: where.file,
      line: where.locator.locate(tablePath).line ?? 1,
      table: config.name,
      locate: (path, atKey) => where.locator.locate([...tablePath, 'http', ...path], atKey),
    });
  } catch (error) {
    if (error instanceof ProjectProblems) errors.push(...error.problems);
    else if (isWeirError(error)) errors.push(error);
    else throw error;
  }
  if (issues.length > 0 || errors.length > 0 || request === undefined) return { issues, errors };
  const key = config.primary_key;
  return { request, schemaPolicy: config.schema ?? 'evolve', primaryKey: key === undefined ? [] : Array.isArray(key) ? key : [key], issues: [], errors: [] };
}
