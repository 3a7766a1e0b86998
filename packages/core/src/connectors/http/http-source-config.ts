/**
 * The configuration of one table of an HTTP API source, as written under a table in
 * `sources/*.yaml`, checked and turned into {@link HttpSourceConfig}. `${ENV}` references are kept
 * as written: secrets are resolved only when the API is called (see `resolveHttpRequestParts`),
 * so a parsed config can be logged, fingerprinted and stored without leaking anything.
 */
import * as z from 'zod';
import { WeirError, type SourceLocation } from '../../errors/weir-error.js';
import { fromZodIssues, type ConfigIssue } from '../../project/config-issues.js';
import { expandEnvironment } from '../../project/env-interpolation.js';
import { throwProblems } from '../../project/project-problems.js';
import { nonEmptyString, positiveSeconds, strictObject, wholeNumber } from '../../project/strict-object.js';
import type { ValuePath } from '../../project/yaml-source.js';

/** How the API wants its credentials. Values keep their `${ENV}` references. */
export type HttpAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; name: string; value: string; in: 'header' | 'query' };

/** How the next page is asked for; `none` is a single request. */
export type HttpPagination =
  | { type: 'none' }
  | { type: 'page'; param: string; start: number; sizeParam?: string; size?: number }
  | { type: 'offset'; param: string; limitParam: string; limit: number }
  | { type: 'cursor'; param: string; next: string }
  | { type: 'link' };

/** A checked HTTP source table. Strings keep their `${ENV}` references until fetch time. */
export interface HttpSourceConfig {
  /** The table's name, for messages and logs. */
  table: string;
  /** Where the table is written, for errors found at fetch time (a variable not set). */
  location: SourceLocation;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  auth?: HttpAuth;
  /** Dotted path to the list of records in the body; undefined when the body is the list. */
  records?: string;
  pagination: HttpPagination;
  /** More pages than this is taken for endless pagination and fails the read. */
  maxPages: number;
  /** The request carries `param=<high-water mark of the record field cursor>`, else `initial`. */
  incremental?: { param: string; cursor: string; initial?: string };
  rateLimit?: { requestsPerSecond: number };
  /** `attempts` counts the first request too; waits grow from `initialDelayMs` up to `maxDelayMs`. */
  retry: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  timeoutSeconds: number;
}

/** Where a table's config sits; `locate` (paths relative to the HTTP config) sharpens the line per key. */
export interface HttpConfigWhere {
  file: string;
  line?: number;
  table: string;
  locate?: (path: ValuePath, atKey?: boolean) => SourceLocation;
}

const DEFAULT_MAX_PAGES = 100_000;

const SHAPES: Record<string, string> = {
  url: 'url: https://api.example.com/v1/orders',
  headers: 'headers: { Accept: application/json }',
  query: 'query: { status: all }',
  auth: 'auth: { type: bearer, token: ${API_TOKEN} } or { type: basic, username: ..., password: ${PASSWORD} } or { type: api_key, name: X-Api-Key, value: ${KEY}, in: header|query }',
  records: 'records: data.items (the dotted path to the list of records; leave out when the body is the list)',
  pagination:
    'pagination: { type: page, param: page, start: 1, size_param: per_page, size: 100 } or { type: offset, param: offset, limit_param: limit, limit: 100 } or { type: cursor, param: cursor, next: meta.next_cursor } or { type: link }, each with an optional max_pages',
  'pagination:page': 'pagination: { type: page, param: page, start: 1, size_param: per_page, size: 100, max_pages: 100000 } (all but type optional)',
  'pagination:offset': 'pagination: { type: offset, param: offset, limit_param: limit, limit: 100, max_pages: 100000 } (all but type optional)',
  'pagination:cursor': 'pagination: { type: cursor, next: meta.next_cursor, param: cursor, max_pages: 100000 } (next is the dotted path of the next cursor in the body)',
  'pagination:link': 'pagination: { type: link, max_pages: 100000 } (follows the Link header\'s rel="next")',
  incremental: "incremental: { param: updated_since, cursor: updated_at, initial: '2020-01-01T00:00:00Z' }",
  rate_limit: 'rate_limit: { requests_per_second: 5 }',
  retry: 'retry: { attempts: 5, initial_delay_ms: 200, max_delay_ms: 30000 }',
  timeout_seconds: 'timeout_seconds: 30',
};

const scalarText = z
  .union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' })
  .transform((value) => String(value));
const textMap = z.record(z.string(), scalarText, { error: 'expected a mapping of name: value' });
const maxPages = wholeNumber(1).default(DEFAULT_MAX_PAGES);
const milliseconds = z.number({ error: 'expected a number of milliseconds' }).min(0, { error: 'expected a number of milliseconds >= 0' });

const authSchema = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('bearer'), token: nonEmptyString }),
  strictObject({ type: z.literal('basic'), username: nonEmptyString, password: z.string({ error: 'expected a string' }) }),
  strictObject({ type: z.literal('api_key'), name: nonEmptyString, value: nonEmptyString, in: z.enum(['header', 'query']).default('header') }),
]);

const paginationSchema = z.discriminatedUnion('type', [
  strictObject({
    type: z.literal('page'),
    param: nonEmptyString.default('page'),
    start: wholeNumber(0).default(1),
    size_param: nonEmptyString.optional(),
    size: wholeNumber(1).optional(),
    max_pages: maxPages,
  }).refine((value) => value.size_param === undefined || value.size !== undefined, {
    error: 'size_param needs size (the page size to ask for)',
    path: ['size'],
  }),
  strictObject({
    type: z.literal('offset'),
    param: nonEmptyString.default('offset'),
    limit_param: nonEmptyString.default('limit'),
    limit: wholeNumber(1).default(100),
    max_pages: maxPages,
  }),
  strictObject({ type: z.literal('cursor'), param: nonEmptyString.default('cursor'), next: nonEmptyString, max_pages: maxPages }),
  strictObject({ type: z.literal('link'), max_pages: maxPages }),
]);

const httpTableSchema = strictObject({
  url: nonEmptyString,
  headers: textMap.optional(),
  query: textMap.optional(),
  auth: authSchema.optional(),
  records: nonEmptyString.optional(),
  pagination: paginationSchema.optional(),
  incremental: strictObject({
    param: nonEmptyString,
    cursor: nonEmptyString,
    initial: scalarText.optional(),
  }).optional(),
  rate_limit: strictObject({
    requests_per_second: z.number({ error: 'expected a number' }).positive({ error: 'expected a number > 0' }),
  }).optional(),
  retry: strictObject({
    attempts: wholeNumber(1).default(5),
    initial_delay_ms: milliseconds.default(200),
    max_delay_ms: milliseconds.default(30_000),
  })
    .refine((value) => value.max_delay_ms >= value.initial_delay_ms, { error: 'max_delay_ms must be at least initial_delay_ms', path: ['max_delay_ms'] })
    .optional(),
  timeout_seconds: positiveSeconds.default(30),
});

type HttpTableInput = z.infer<typeof httpTableSchema>;

/**
 * Checks one HTTP source table and returns it typed, with defaults filled in. Every problem names
 * the file, the line, the key and the expected shape; several are thrown together as one
 * `ProjectProblems` (itself a `WeirError`, with `.problems`). Values are never echoed.
 *
 * @param raw - the table's HTTP keys (`url`, `headers`, `query`, `auth`, `records`, `pagination`,
 *   `incremental`, `rate_limit`, `retry`, `timeout_seconds`) as parsed from YAML; the caller
 *   removes the keys every table has (`name`, `description`, `checks`, ...).
 * @throws WeirError `CONFIG_INVALID` or `CONFIG_UNKNOWN_KEY`.
 *
 * @example
 * ```ts
 * const config = parseHttpSourceConfig(
 *   { url: 'https://api.example.com/v1/orders', auth: { type: 'bearer', token: '${API_TOKEN}' }, pagination: { type: 'link' } },
 *   { file: 'sources/shop.yaml', line: 4, table: 'orders' },
 * );
 * config.auth; // { type: 'bearer', token: '${API_TOKEN}' } (resolved only when fetching)
 * ```
 */
export function parseHttpSourceConfig(raw: unknown, where: HttpConfigWhere): HttpSourceConfig {
  const locate = (path: ValuePath, atKey?: boolean): SourceLocation =>
    where.locate?.(path, atKey) ?? { file: where.file, ...(where.line === undefined ? {} : { line: where.line }) };
  const fail = (issues: ConfigIssue[]): never => {
    throwProblems(
      issues.map(
        (issue) =>
          new WeirError(issue.code, `table "${where.table}": ${issue.message}`, {
            location: locate(issue.path, issue.atKey),
            ...(issue.hint === undefined ? {} : { hint: issue.hint }),
          }),
      ),
    );
    throw new Error('unreachable: throwProblems throws for a non-empty list');
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail([{ code: 'CONFIG_INVALID', path: [], message: 'an HTTP source table must be a mapping with at least a url', hint: SHAPES.url }]);
  }
  const parsed = httpTableSchema.safeParse(raw);
  if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, raw).map((issue) => withShapeHint(issue, raw)));
  const issues = [...urlIssues(parsed.data.url), ...referenceIssues(raw, [])];
  if (issues.length > 0) return fail(issues);
  return toConfig(parsed.data, where.table, locate([]));
}

/**
 * A hint showing the expected shape of the top-level key an issue is about, when it has none;
 * for pagination, the shape of the type written, if it is a known one.
 */
function withShapeHint(issue: ConfigIssue, raw: object): ConfigIssue {
  if (issue.hint !== undefined || issue.code === 'CONFIG_UNKNOWN_KEY') return issue;
  const key = String(issue.path[0]);
  const pagination = (raw as { pagination?: unknown }).pagination;
  const type = key === 'pagination' && pagination !== null && typeof pagination === 'object' ? (pagination as { type?: unknown }).type : undefined;
  const shape = SHAPES[`${key}:${String(type)}`] ?? SHAPES[key];
  return shape === undefined ? issue : { ...issue, hint: `expected ${shape}` };
}

/** A URL without references must be http(s); one with references is checked once resolved. */
function urlIssues(url: string): ConfigIssue[] {
  if (url.includes('${')) return [];
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === 'http:' || protocol === 'https:') return [];
  return [{ code: 'CONFIG_INVALID', path: ['url'], message: '"url": expected an http:// or https:// URL', hint: `expected ${SHAPES.url}` }];
}

/** Malformed `${...}` references anywhere in the config, found now rather than at the first request. */
function referenceIssues(value: unknown, path: (string | number)[]): ConfigIssue[] {
  if (typeof value === 'string') {
    return expandEnvironment(value, {}).malformed.map((name) => ({
      code: 'CONFIG_INVALID' as const,
      path,
      message: `"${path.join('.')}": "\${${name}}" is not a valid environment variable reference`,
      hint: 'write ${NAME} with letters, digits and _ (and $${ for a literal ${)',
    }));
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => referenceIssues(child, [...path, key]));
}

function toConfig(input: HttpTableInput, table: string, location: SourceLocation): HttpSourceConfig {
  const retry = input.retry ?? { attempts: 5, initial_delay_ms: 200, max_delay_ms: 30_000 };
  const config: HttpSourceConfig = {
    table,
    location,
    url: input.url,
    headers: input.headers ?? {},
    query: input.query ?? {},
    pagination: { type: 'none' },
    maxPages: input.pagination?.max_pages ?? DEFAULT_MAX_PAGES,
    retry: { attempts: retry.attempts, initialDelayMs: retry.initial_delay_ms, maxDelayMs: retry.max_delay_ms },
    timeoutSeconds: input.timeout_seconds,
  };
  if (input.auth !== undefined) config.auth = input.auth;
  if (input.records !== undefined) config.records = input.records;
  if (input.rate_limit !== undefined) config.rateLimit = { requestsPerSecond: input.rate_limit.requests_per_second };
  if (input.incremental !== undefined) {
    const { param, cursor, initial } = input.incremental;
    config.incremental = { param, cursor, ...(initial === undefined ? {} : { initial }) };
  }
  const pagination = input.pagination;
  if (pagination?.type === 'page') {
    config.pagination = {
      type: 'page',
      param: pagination.param,
      start: pagination.start,
      ...(pagination.size_param === undefined ? {} : { sizeParam: pagination.size_param }),
      ...(pagination.size === undefined ? {} : { size: pagination.size }),
    };
  } else if (pagination?.type === 'offset') {
    config.pagination = { type: 'offset', param: pagination.param, limitParam: pagination.limit_param, limit: pagination.limit };
  } else if (pagination?.type === 'cursor') {
    config.pagination = { type: 'cursor', param: pagination.param, next: pagination.next };
  } else if (pagination?.type === 'link') {
    config.pagination = { type: 'link' };
  }
  return config;
}
