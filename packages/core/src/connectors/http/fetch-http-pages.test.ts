/**
 * Reading an HTTP API against the local flaky server: every pagination style delivers every
 * record exactly once, also when 30% of the requests fail; credentials of each kind are sent;
 * the incremental parameter and the rate limit are respected.
 */
import { describe, expect, it } from 'vitest';
import { startFlakyHttpServer, type FlakyHttpServer, type FlakyHttpServerOptions } from '../../testing/flaky-http-server.js';
import { fetchHttpPages, type FetchHttpPagesOptions, type HttpPage } from './fetch-http-pages.js';
import { parseHttpSourceConfig } from './http-source-config.js';

async function withServer<T>(options: FlakyHttpServerOptions, work: (server: FlakyHttpServer) => Promise<T>): Promise<T> {
  const server = await startFlakyHttpServer(options);
  try {
    return await work(server);
  } finally {
    await server.close();
  }
}

async function readAll(raw: Record<string, unknown>, options: Partial<FetchHttpPagesOptions> = {}): Promise<HttpPage[]> {
  const config = parseHttpSourceConfig(raw, { file: 'sources/api.yaml', line: 3, table: 'orders' });
  const pages: HttpPage[] = [];
  for await (const page of fetchHttpPages(config, { highWaterMark: null, env: {}, ...options })) pages.push(page);
  return pages;
}

const ids = (pages: HttpPage[]): number[] => pages.flatMap((page) => page.records.map((record) => record.id as number));
const range = (count: number): number[] => Array.from({ length: count }, (_, index) => index + 1);
/** A page's identity as the server keys it: path and sorted query. */
function pageKeyOf(requestUrl: string): string {
  const url = new URL(requestUrl);
  url.searchParams.sort();
  return url.search === '' ? url.pathname : `${url.pathname}${url.search}`;
}

const fastRetry = { attempts: 12, initial_delay_ms: 1, max_delay_ms: 2000 };
const styles: Record<string, (base: string) => Record<string, unknown>> = {
  page: (base) => ({ url: `${base}/page/orders`, records: 'data.items', pagination: { type: 'page', size_param: 'per_page', size: 20 } }),
  offset: (base) => ({ url: `${base}/offset/orders`, records: 'data', pagination: { type: 'offset', limit: 20 } }),
  cursor: (base) => ({ url: `${base}/cursor/orders`, query: { limit: 20 }, records: 'data', pagination: { type: 'cursor', next: 'meta.next_cursor' } }),
  'cursor (next URL)': (base) => ({ url: `${base}/cursor/orders`, query: { limit: 20 }, records: 'data', pagination: { type: 'cursor', next: 'meta.next_url' } }),
  link: (base) => ({ url: `${base}/link/orders`, query: { per_page: 20 }, pagination: { type: 'link' } }),
  none: (base) => ({ url: `${base}/all/orders` }),
};

describe('fetchHttpPages against the flaky server', () => {
  for (const [style, configOf] of Object.entries(styles)) {
    for (const count of [130, 120]) {
      it(`${style} pagination yields ids 1..${count} exactly once, with 30% of requests failing`, async () => {
        await withServer({ records: count, failureRate: 0.3, failFirst: 1, seed: 11, retryAfterSeconds: [0] }, async (server) => {
          const log: string[] = [];
          const pages = await readAll({ ...configOf(server.url), retry: fastRetry }, { log: (line) => log.push(line) });

          expect(ids(pages)).toEqual(range(count));
          const failures = server.stats.requests.filter((request) => request.status >= 429);
          expect(failures.length).toBeGreaterThan(0);
          expect(log).toHaveLength(failures.length);
          expect(log[0]).toMatch(/^orders: HTTP (500|503|429) on page \d+, retrying in \d+ ms \(attempt 2 of 12\)$/);
          // Each page was answered with data once and reached the caller once, with what was served.
          for (const [key, served] of server.stats.pagesServed) expect({ key, times: served.times }).toEqual({ key, times: 1 });
          for (const page of pages) expect(server.stats.pagesServed.get(pageKeyOf(page.requestUrl))?.records).toBe(page.records.length);
          expect(pages.map((page) => page.pageNumber)).toEqual(range(pages.length));
          expect(server.stats.recordsServed).toBe(count);
        });
      });
    }
  }

  it('keeps nested values and wraps records that are not objects', async () => {
    await withServer({ records: 3 }, async (server) => {
      const [first] = await readAll({ url: `${server.url}/all/orders` });
      expect(first?.records[1]).toEqual(server.dataset[1]);
      expect((await readAll({ url: `${server.url}/scalars` }))[0]?.records).toEqual([{ value: 1 }, { value: 2 }, { value: 3 }]);
    });
  });

  it('sends the incremental parameter: the high-water mark, else initial, else nothing', async () => {
    await withServer({ records: 60 }, async (server) => {
      const config = { url: `${server.url}/page/orders`, records: 'data.items', pagination: { type: 'page', size_param: 'per_page', size: 25 } };
      const mark = server.dataset[39]!.updated_at;
      const since = await readAll({ ...config, incremental: { param: 'updated_since', cursor: 'updated_at', initial: '2000-01-01T00:00:00Z' } }, { highWaterMark: mark });
      expect(ids(since)).toEqual(range(20).map((id) => id + 40));
      expect(server.stats.requests.every((request) => request.query.updated_since === mark)).toBe(true);

      server.stats.requests.length = 0;
      const initial = server.dataset[9]!.updated_at;
      const first = await readAll({ ...config, incremental: { param: 'updated_since', cursor: 'updated_at', initial } });
      expect(ids(first)).toEqual(range(50).map((id) => id + 10));
      expect(server.stats.requests.every((request) => request.query.updated_since === initial)).toBe(true);

      server.stats.requests.length = 0;
      expect(ids(await readAll({ ...config, incremental: { param: 'updated_since', cursor: 'updated_at' } }))).toEqual(range(60));
      expect(server.stats.requests.some((request) => 'updated_since' in request.query)).toBe(false);
    });
  });

  const auths = [
    { name: 'bearer', server: { type: 'bearer', token: 'tok-123456' }, config: { type: 'bearer', token: '${API_TOKEN}' }, env: { API_TOKEN: 'tok-123456' } },
    { name: 'basic', server: { type: 'basic', username: 'etl', password: 'pw-987654' }, config: { type: 'basic', username: 'etl', password: '${API_PASSWORD}' }, env: { API_PASSWORD: 'pw-987654' } },
    { name: 'api key in a header', server: { type: 'api_key', name: 'X-Api-Key', value: 'key-55555', in: 'header' }, config: { type: 'api_key', name: 'X-Api-Key', value: '${API_KEY}' }, env: { API_KEY: 'key-55555' } },
    { name: 'api key in the query', server: { type: 'api_key', name: 'api_key', value: 'key-77777', in: 'query' }, config: { type: 'api_key', name: 'api_key', value: '${API_KEY}', in: 'query' }, env: { API_KEY: 'key-77777' } },
  ] as const;
  for (const auth of auths) {
    it(`is let in with ${auth.name} credentials, also on links the API hands back, and never shows them`, async () => {
      await withServer({ records: 45, auth: auth.server }, async (server) => {
        const pages = await readAll({ url: `${server.url}/link/orders`, query: { per_page: 20 }, pagination: { type: 'link' }, auth: auth.config }, { env: auth.env });
        expect(ids(pages)).toEqual(range(45));
        expect(server.stats.requests.map((request) => request.status)).toEqual([200, 200, 200]);
        const secret = Object.values(auth.env)[0];
        for (const page of pages) expect(page.requestUrl).not.toContain(secret);
        if (auth.name === 'api key in the query') expect(pages[1]?.requestUrl).toContain('api_key=***');
      });
    });
  }

  it('spaces request starts at least 1/rps apart', async () => {
    await withServer({ records: 60 }, async (server) => {
      const pages = await readAll({ url: `${server.url}/offset/orders`, records: 'data', pagination: { type: 'offset', limit: 10 }, rate_limit: { requests_per_second: 10 } });
      expect(ids(pages)).toEqual(range(60));
      const starts = server.stats.requests.map((request) => request.at);
      expect(starts).toHaveLength(7);
      // 100 ms apart at 10 requests per second. The server shares the event loop (and two busy
      // cores) with the client, so one arrival may be late by tens of ms and the next gap shorter
      // by as much: each gap is held to half the interval, the whole span to all of it less 50 ms.
      // Unpaced, the gaps are a few ms.
      for (let index = 1; index < starts.length; index++) expect(starts[index]! - starts[index - 1]!).toBeGreaterThanOrEqual(50);
      expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(6 * 100 - 50);
    });
  });
});
