/**
 * Reads an HTTP API source as pages of JSON records: resolves its secrets, asks for each page in
 * turn (paced, retried, timed out; see `http-retry.ts`), finds the records in each body and knows
 * when the last page has come (see `http-pagination.ts`). What the records become is the caller's
 * business.
 *
 * A body that is not JSON fails the read without a retry, even an HTML page answered with 200:
 * proxies and gateways report their transient trouble with 502/503/504 (retried by status), so a
 * 200 with HTML is a login page, a wrong URL or an API's documentation page, which will come back
 * the same every time.
 */
import { WeirError } from '../../errors/weir-error.js';
import { HttpPaginator, lookupPath } from './http-pagination.js';
import { resolveHttpRequestParts } from './http-request-parts.js';
import { excerpt, fetchWithRetry, RequestPacer, type HttpAnswer } from './http-retry.js';
import type { HttpSourceConfig } from './http-source-config.js';

/** One page of records, as the API answered it. */
export interface HttpPage {
  /** The records; values that are not objects are wrapped as `{ value: x }`. */
  records: Record<string, unknown>[];
  /** The URL asked for, with every secret shown as `***`. */
  requestUrl: string;
  /** 1 for the first request of the read; pages without records are not yielded. */
  pageNumber: number;
}

/** How one read runs. */
export interface FetchHttpPagesOptions {
  /** The largest value of the incremental cursor field already loaded, or null for none. */
  highWaterMark: string | null;
  /** Where `${ENV}` references come from; `process.env` by default. */
  env?: Record<string, string | undefined>;
  /** Aborts requests and waits at once; the iteration then throws the signal's reason. */
  signal?: AbortSignal;
  /** Receives retries and their waits, secrets masked. */
  log?: (message: string) => void;
}

/**
 * The pages of an HTTP API source, in order, each asked for once its predecessor has been
 * consumed. Nothing is requested until the first page is pulled.
 *
 * @throws WeirError `CONFIG_INVALID` (a variable not set), `SOURCE_READ_FAILED` (an HTTP error, a
 *   body that is not JSON, records not where `records` says, endless pagination) or
 *   `SOURCE_UNAVAILABLE` (the API could not be reached), all with secrets masked.
 *
 * @example
 * ```ts
 * const config = parseHttpSourceConfig(raw, { file: 'sources/shop.yaml', line: 3, table: 'orders' });
 * for await (const page of fetchHttpPages(config, { highWaterMark: '2024-05-01T00:00:00Z', log: console.log })) {
 *   console.log(page.pageNumber, page.records.length);
 * }
 * ```
 */
export async function* fetchHttpPages(config: HttpSourceConfig, options: FetchHttpPagesOptions): AsyncIterable<HttpPage> {
  const { signal } = options;
  signal?.throwIfAborted();
  const parts = resolveHttpRequestParts(config, options.env ?? process.env);
  const base = new URL(parts.url);
  const incremental = config.incremental;
  const since = options.highWaterMark ?? incremental?.initial;
  if (incremental !== undefined && since !== undefined) base.searchParams.set(incremental.param, since);

  const paginator = new HttpPaginator(config.pagination, base, config.table, parts.queryCredential);
  const pacer = new RequestPacer(config.rateLimit?.requestsPerSecond);
  let url: URL | undefined = paginator.first();
  for (let pageNumber = 1; url !== undefined; pageNumber++) {
    if (pageNumber > config.maxPages) {
      throw new WeirError('SOURCE_READ_FAILED', `table "${config.table}": more than ${config.maxPages} pages and still a next one; the pagination looks endless`, {
        hint: 'raise pagination.max_pages if the API really has that many pages',
      });
    }
    const requestUrl = parts.mask(url.toString());
    const where = `GET ${requestUrl} (page ${pageNumber})`;
    const answer = await fetchWithRetry(url, {
      table: config.table,
      pageNumber,
      headers: parts.headers,
      policy: config.retry,
      timeoutMs: config.timeoutSeconds * 1000,
      pacer,
      mask: parts.mask,
      ...(signal === undefined ? {} : { signal }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    const body = parseBody(answer, config.table, where, parts.mask);
    const records = body === undefined ? [] : recordsOf(body, config, where, parts.mask);
    url = paginator.next({ body, headers: answer.headers, answerUrl: answer.url, recordCount: records.length });
    if (records.length > 0) yield { records, requestUrl, pageNumber };
  }
}

/** The parsed body; undefined for 204 No Content (a page without records). */
function parseBody(answer: HttpAnswer, table: string, where: string, mask: (text: string) => string): unknown {
  if (answer.status === 204) return undefined;
  const contentType = answer.headers.get('content-type')?.split(';')[0]?.trim() || 'no content type';
  try {
    return JSON.parse(answer.body) as unknown;
  } catch (error) {
    const jsonType = /[/+]json$/i.test(contentType);
    const what = answer.body.trim() === '' ? 'an empty body' : jsonType ? `malformed JSON (${error instanceof Error ? error.message : String(error)})` : `${contentType}`;
    throw new WeirError('SOURCE_READ_FAILED', mask(`table "${table}": ${where} answered ${what} instead of JSON: ${excerpt(answer.body)}`), {
      hint: contentType === 'text/html' ? 'an HTML page usually means a wrong url, a login page or a proxy in between; open the url in a browser to see it' : 'check the url: it should be an API endpoint that answers JSON',
    });
  }
}

function recordsOf(body: unknown, config: HttpSourceConfig, where: string, mask: (text: string) => string): Record<string, unknown>[] {
  let list = body;
  if (config.records !== undefined) {
    const lookup = lookupPath(body, config.records);
    if (!lookup.found) {
      const parent = lookup.parentPath === '' ? 'the body' : `"${lookup.parentPath}"`;
      const keys = lookup.parentKeys === undefined ? 'it is not a mapping' : `its keys are: ${lookup.parentKeys.join(', ') || '(none)'}`;
      throw new WeirError('SOURCE_READ_FAILED', mask(`table "${config.table}": the records path "${config.records}" is not in the answer to ${where}: ${parent} has no "${lookup.missing}" (${keys})`), {
        hint: recordsHint(body, '') ?? 'set records: to the dotted path of the list of records',
      });
    }
    list = lookup.value;
  }
  if (!Array.isArray(list)) {
    const subject = config.records === undefined ? 'the body' : `"${config.records}"`;
    const kind = list === null ? 'null' : typeof list === 'object' ? `a mapping (keys: ${Object.keys(list).join(', ') || 'none'})` : `a ${typeof list}`;
    throw new WeirError('SOURCE_READ_FAILED', mask(`table "${config.table}": in the answer to ${where}, ${subject} is ${kind}, not a list of records`), {
      hint: recordsHint(list, config.records === undefined ? '' : `${config.records}.`) ?? 'set records: to the dotted path of the list of records',
    });
  }
  return list.map((item: unknown) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : { value: item }));
}

/** Suggests the first list found within two levels of `value` (at `prefix` in the body), e.g. `records: data.items`. */
function recordsHint(value: unknown, prefix: string): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const suggest = (path: string): string => `there is a list at "${prefix}${path}": write records: ${prefix}${path}`;
  for (const [key, child] of Object.entries(value)) {
    if (Array.isArray(child)) return suggest(key);
  }
  for (const [key, child] of Object.entries(value)) {
    if (child === null || typeof child !== 'object' || Array.isArray(child)) continue;
    for (const [inner, grandchild] of Object.entries(child)) {
      if (Array.isArray(grandchild)) return suggest(`${key}.${inner}`);
    }
  }
  return undefined;
}
