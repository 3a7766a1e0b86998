/**
 * A local HTTP API for tests of HTTP sources (in-process tests and e2e tests of the `weir`
 * binary): a deterministic dataset of orders served in every pagination style, with auth, an
 * `updated_since` filter, seeded failures and deliberately broken routes. It records every request
 * so a test can prove what the client did (each page fetched once, waits honoured, pacing kept).
 *
 * Routes (GET; every one demands `auth` when it is set; `?updated_since=<ISO>` keeps the records
 * with `updated_at` strictly after it; page sizes default to 25, at most 1000):
 * - `/all/orders`: every record, as a bare JSON list.
 * - `/page/orders?page=1&per_page=25`: `{ data: { items: [...] }, meta: { page, per_page, total } }`, pages from 1.
 * - `/offset/orders?offset=0&limit=25`: `{ data: [...], total }`.
 * - `/cursor/orders?cursor=&limit=25`: `{ data: [...], meta: { next_cursor, next_url } }`, both null after the last page.
 * - `/link/orders?page=1&per_page=25`: a bare list and `Link: </link/orders?page=2&per_page=25>; rel="next"`
 *   (relative, and without an api key sent in the query string, as many APIs do).
 * - `/cursor-loop/orders`: one record and the same `meta.next_cursor` forever.
 * - `/endless/orders?cursor=n`: one record and `meta.next_cursor` n+1, forever.
 * - `/missing/orders`: `{ results: [...], count }` (no `data`). `/scalars`: `[1, 2, 3]`.
 * - `/html/orders`: 200 text/html. `/notjson`: 200 application/json with a malformed body.
 * - `/status/<code>`: that status with a small JSON body. `/hang`: never answers.
 * Seeded failures (`failureRate`, `failFirst`) hit the `/<style>/orders` routes only.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../checks/spc/simulated-series.js';

/** One record of the dataset; `updated_at` increases with `id`. */
export interface FlakyRecord {
  id: number;
  updated_at: string;
  name: string;
  amount: number;
  nested: { a: number; b: { c: string } };
  tags: string[];
}

/** Credentials the server demands; a request without them gets 401 (its body echoes what came). */
export type FlakyAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; name: string; value: string; in: 'header' | 'query' };

/** Options of {@link startFlakyHttpServer}; every one has a default. */
export interface FlakyHttpServerOptions {
  /** Records in the dataset, ids 1..records. Default 250. */
  records?: number;
  /** Seeds which requests fail and how. Default 1. */
  seed?: number;
  /** Fraction (0..1) of data requests answered with a failure. Default 0. */
  failureRate?: number;
  /** The first n data requests fail, whatever `failureRate` says. Default 0. */
  failFirst?: number;
  /** Statuses a failure picks from (seeded). Default [500, 503, 429]. */
  failureStatuses?: number[];
  /** `Retry-After` seconds a 503 or 429 picks from (seeded). Default [0, 1]. */
  retryAfterSeconds?: number[];
  /** Send `Retry-After` as an HTTP date (rounded up to the second) instead of seconds. */
  retryAfterAsDate?: boolean;
  auth?: FlakyAuth;
}

/** One request as the server saw it. */
export interface FlakyRequest {
  /** `performance.now()` when the request arrived: for gaps between requests. */
  at: number;
  /** `Date.now()` when the request arrived: to compare with an HTTP-date `Retry-After`. */
  wallTime: number;
  path: string;
  query: Record<string, string>;
  /** The page asked for: path and query without credentials; equal keys mean the same page. */
  pageKey: string;
  status: number;
  retryAfter?: string;
}

/** What the server has done so far. */
export interface FlakyHttpServerStats {
  requests: FlakyRequest[];
  /** Per page key: how often it was answered with data (200), and how many records that was. */
  pagesServed: Map<string, { times: number; records: number }>;
  /** Records answered with 200 over all requests. */
  recordsServed: number;
}

/** A running server. */
export interface FlakyHttpServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The whole dataset, as served without a filter. */
  dataset: FlakyRecord[];
  stats: FlakyHttpServerStats;
  /** Stops the server, cutting any request still open. */
  close: () => Promise<void>;
}

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 1000;
const DATA_ROUTE = /^\/(all|page|offset|cursor|link|cursor-loop|endless|missing)\/orders$/;

/**
 * The dataset of `count` records the server serves: deterministic, `updated_at` one hour apart
 * from 2024-01-01T01:00:00.000Z.
 *
 * @example
 * ```ts
 * flakyDataset(2)[1]; // { id: 2, updated_at: '2024-01-01T02:00:00.000Z', name: 'order 2', ... }
 * ```
 */
export function flakyDataset(count: number): FlakyRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const id = index + 1;
    return {
      id,
      updated_at: new Date(Date.UTC(2024, 0, 1) + id * 3_600_000).toISOString(),
      name: `order ${id}`,
      amount: ((id * 7919) % 10_000) / 100,
      nested: { a: id % 7, b: { c: `c${id % 3}` } },
      tags: id % 2 === 0 ? ['even'] : ['odd', 'prime-ish'],
    };
  });
}

/**
 * Starts the server on 127.0.0.1 at a free port.
 *
 * @example
 * ```ts
 * const server = await startFlakyHttpServer({ records: 100, failureRate: 0.3, seed: 7 });
 * // ... read `${server.url}/page/orders` ...
 * expect([...server.stats.pagesServed.values()].every((page) => page.times === 1)).toBe(true);
 * await server.close();
 * ```
 */
export async function startFlakyHttpServer(options: FlakyHttpServerOptions = {}): Promise<FlakyHttpServer> {
  const dataset = flakyDataset(options.records ?? 250);
  const random = mulberry32(options.seed ?? 1);
  const stats: FlakyHttpServerStats = { requests: [], pagesServed: new Map(), recordsServed: 0 };
  let dataRequests = 0;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const entry: FlakyRequest = {
      at: performance.now(),
      wallTime: Date.now(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      pageKey: pageKey(url, options.auth),
      status: 0,
    };
    stats.requests.push(entry);
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      entry.status = status;
      if (headers['retry-after'] !== undefined) entry.retryAfter = headers['retry-after'];
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    };

    if (DATA_ROUTE.test(url.pathname)) {
      dataRequests += 1;
      // Draw for every data request, failing or not, so one seed gives one sequence of failures.
      const roll = random();
      const status = pick(options.failureStatuses ?? [500, 503, 429], random());
      const wait = pick(options.retryAfterSeconds ?? [0, 1], random());
      if (dataRequests <= (options.failFirst ?? 0) || roll < (options.failureRate ?? 0)) {
        const headers: Record<string, string> = {};
        if (status === 503 || status === 429) headers['retry-after'] = retryAfterValue(wait, options.retryAfterAsDate === true);
        send(status, JSON.stringify({ error: `injected failure ${status}` }), headers);
        return;
      }
    }
    const refusal = authRefusal(request, url, options.auth);
    if (refusal !== undefined) {
      send(401, JSON.stringify({ error: 'unauthorized', received: refusal }), { 'www-authenticate': 'Bearer' });
      return;
    }
    const served = (status: number, body: unknown, records: number, headers: Record<string, string> = {}): void => {
      const page = stats.pagesServed.get(entry.pageKey) ?? { times: 0, records: 0 };
      stats.pagesServed.set(entry.pageKey, { times: page.times + 1, records: page.records + records });
      stats.recordsServed += records;
      send(status, JSON.stringify(body), headers);
    };
    route(url, request, dataset, served, send);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dataset,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Served = (status: number, body: unknown, records: number, headers?: Record<string, string>) => void;
type Send = (status: number, body: string, headers?: Record<string, string>) => void;

function route(url: URL, request: IncomingMessage, dataset: FlakyRecord[], served: Served, send: Send): void {
  const params = url.searchParams;
  const since = params.get('updated_since');
  const rows = since === null ? dataset : dataset.filter((record) => record.updated_at > since);
  const size = (name: string): number => Math.min(MAX_PAGE_SIZE, Math.max(1, Number(params.get(name) ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE));
  const number = (name: string, fallback: number): number => Math.max(0, Math.floor(Number(params.get(name) ?? fallback) || fallback));
  const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
  const [, style] = /^\/([^/]+)\/orders$/.exec(url.pathname) ?? [];
  switch (style ?? url.pathname) {
    case 'all':
      return served(200, rows, rows.length);
    case 'page': {
      const page = Math.max(1, number('page', 1));
      const perPage = size('per_page');
      const items = rows.slice((page - 1) * perPage, page * perPage);
      return served(200, { data: { items }, meta: { page, per_page: perPage, total: rows.length } }, items.length);
    }
    case 'offset': {
      const offset = number('offset', 0);
      const items = rows.slice(offset, offset + size('limit'));
      return served(200, { data: items, total: rows.length }, items.length);
    }
    case 'cursor': {
      const after = Number(Buffer.from(params.get('cursor') ?? '', 'base64url').toString().replace(/^after:/, '')) || 0;
      const items = rows.filter((record) => record.id > after).slice(0, size('limit'));
      const last = items.at(-1);
      const more = last !== undefined && rows.some((record) => record.id > last.id);
      const cursor = more ? Buffer.from(`after:${last.id}`).toString('base64url') : null;
      const next = new URL(url.pathname + url.search, origin);
      if (cursor !== null) next.searchParams.set('cursor', cursor);
      return served(200, { data: items, meta: { next_cursor: cursor, next_url: cursor === null ? null : next.toString() } }, items.length);
    }
    case 'link': {
      const page = Math.max(1, number('page', 1));
      const perPage = size('per_page');
      const items = rows.slice((page - 1) * perPage, page * perPage);
      const next = new URLSearchParams({ page: String(page + 1), per_page: String(perPage), ...(since === null ? {} : { updated_since: since }) });
      const links = [`</link/orders?page=1&per_page=${perPage}>; rel="first"`];
      if (page * perPage < rows.length) links.push(`</link/orders?${next.toString()}>; rel="next"`);
      return served(200, items, items.length, { link: links.join(', ') });
    }
    case 'cursor-loop':
      return served(200, { data: rows.slice(0, 1), meta: { next_cursor: 'same-again' } }, Math.min(1, rows.length));
    case 'endless': {
      const at = number('cursor', 0);
      return served(200, { data: [{ id: at + 1 }], meta: { next_cursor: at + 1 } }, 1);
    }
    case 'missing':
      return served(200, { results: rows, count: rows.length }, rows.length);
    case '/scalars':
      return served(200, [1, 2, 3], 3);
    case 'html':
      return send(200, '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>', { 'content-type': 'text/html; charset=utf-8' });
    case '/notjson':
      return send(200, '{"data": [{"id": 1}, {"id": 2', {});
    case '/hang':
      // Never answered: the client's timeout or abort ends it, or close() cuts it.
      return;
    default: {
      const status = /^\/status\/(\d{3})$/.exec(url.pathname)?.[1];
      if (status !== undefined) return send(Number(status), JSON.stringify({ error: `status ${status} as asked` }));
      return send(404, JSON.stringify({ error: `no route ${url.pathname}` }));
    }
  }
}

/** What came instead of the expected credentials (echoed, as careless APIs do), or undefined when they match. */
function authRefusal(request: IncomingMessage, url: URL, auth: FlakyAuth | undefined): string | undefined {
  if (auth === undefined) return undefined;
  if (auth.type === 'api_key') {
    const got = auth.in === 'header' ? request.headers[auth.name.toLowerCase()] : url.searchParams.get(auth.name);
    return got === auth.value ? undefined : String(got ?? '(nothing)');
  }
  const expected = auth.type === 'bearer' ? `Bearer ${auth.token}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const got = request.headers.authorization;
  if (got === expected) return undefined;
  if (got?.startsWith('Basic ')) return Buffer.from(got.slice(6), 'base64').toString();
  return got ?? '(nothing)';
}

function pageKey(url: URL, auth: FlakyAuth | undefined): string {
  const params = new URLSearchParams(url.searchParams);
  if (auth?.type === 'api_key' && auth.in === 'query') params.delete(auth.name);
  params.sort();
  const query = params.toString();
  return query === '' ? url.pathname : `${url.pathname}?${query}`;
}

function retryAfterValue(seconds: number, asDate: boolean): string {
  if (!asDate) return String(seconds);
  return new Date(Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000).toUTCString();
}

function pick<T>(choices: readonly T[], roll: number): T {
  return choices[Math.min(choices.length - 1, Math.floor(roll * choices.length))] as T;
}
