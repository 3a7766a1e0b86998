/**
 * How an HTTP read fails: Retry-After honoured, 4xx not retried, bodies that are not JSON or lack
 * the records, endless pagination, unreachable hosts, timeouts and aborts, each with a clear
 * error that never shows a secret.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isWeirError, type WeirError } from '../../errors/weir-error.js';
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

async function failureOf(raw: Record<string, unknown>, options: Partial<FetchHttpPagesOptions> = {}): Promise<WeirError> {
  const error = await readAll(raw, options).then(
    () => new Error('the read succeeded'),
    (thrown: unknown) => thrown,
  );
  if (isWeirError(error)) return error;
  throw error;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const fastRetry = { attempts: 3, initial_delay_ms: 1, max_delay_ms: 2000 };

describe('fetchHttpPages failures', () => {
  it('waits at least the Retry-After seconds before asking again', async () => {
    await withServer({ records: 5, failFirst: 1, failureStatuses: [429], retryAfterSeconds: [1] }, async (server) => {
      const log: string[] = [];
      const pages = await readAll({ url: `${server.url}/all/orders`, retry: fastRetry }, { log: (line) => log.push(line) });
      expect(pages[0]?.records).toHaveLength(5);
      const [refused, retried] = server.stats.requests;
      expect([refused?.status, refused?.retryAfter, retried?.status]).toEqual([429, '1', 200]);
      // The wait starts after the 429 left the server; a few ms allow for timer granularity.
      expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1000 - 5);
      expect(log).toEqual(['orders: HTTP 429 on page 1, retrying in 1.0 s (attempt 2 of 3)']);
    });
  });

  it('waits until a Retry-After date', async () => {
    await withServer({ records: 5, failFirst: 1, failureStatuses: [503], retryAfterSeconds: [1], retryAfterAsDate: true }, async (server) => {
      await readAll({ url: `${server.url}/all/orders`, retry: fastRetry });
      const [refused, retried] = server.stats.requests;
      expect(refused?.status).toBe(503);
      expect(retried!.wallTime).toBeGreaterThanOrEqual(Date.parse(refused!.retryAfter!) - 5);
    });
  });

  it('fails rather than wait longer than max_delay_ms when Retry-After asks for it', async () => {
    await withServer({ records: 5, failFirst: 1, failureStatuses: [429], retryAfterSeconds: [120] }, async (server) => {
      const error = await failureOf({ url: `${server.url}/all/orders`, retry: { attempts: 3, initial_delay_ms: 1, max_delay_ms: 1000 } });
      expect(error.code).toBe('SOURCE_READ_FAILED');
      expect(error.message).toContain('asks to wait 120.0 s (Retry-After), longer than retry.max_delay_ms (1.0 s)');
      expect(server.stats.requests).toHaveLength(1);
    });
  });

  for (const status of [400, 404, 422]) {
    it(`does not retry HTTP ${status}, and quotes the body`, async () => {
      await withServer({}, async (server) => {
        const error = await failureOf({ url: `${server.url}/status/${status}`, retry: fastRetry });
        expect(error.code).toBe('SOURCE_READ_FAILED');
        expect(error.message).toMatch(new RegExp(`^table "orders": HTTP ${status} .* from GET http://127\\.0\\.0\\.1:\\d+/status/${status} \\(page 1\\): \\{"error":"status ${status} as asked"\\}$`));
        expect(server.stats.requests).toHaveLength(1);
      });
    });
  }

  it('gives up on a 5xx after the configured attempts', async () => {
    await withServer({}, async (server) => {
      const log: string[] = [];
      const error = await failureOf({ url: `${server.url}/status/502`, retry: fastRetry }, { log: (line) => log.push(line) });
      expect(error.code).toBe('SOURCE_READ_FAILED');
      expect(error.message).toContain('HTTP 502 Bad Gateway from GET');
      expect(error.message).toContain('after 3 attempts');
      expect(server.stats.requests).toHaveLength(3);
      expect(log).toHaveLength(2);
    });
  });

  it('says a wrong token was refused, hints at the credentials, and never shows the token', async () => {
    await withServer({ auth: { type: 'bearer', token: 'right-token' } }, async (server) => {
      const error = await failureOf({ url: `${server.url}/all/orders`, auth: { type: 'bearer', token: '${API_TOKEN}' }, retry: fastRetry }, { env: { API_TOKEN: 'wrong-token-42' } });
      expect(error.code).toBe('SOURCE_READ_FAILED');
      expect(error.message).toContain('HTTP 401 Unauthorized');
      expect(error.hint).toContain('check the credentials');
      // The server echoes what it got ("Bearer wrong-token-42"); the message must not.
      expect(error.message).toContain('"received":"Bearer ***"');
      expect(error.describe()).not.toContain('wrong-token-42');
      expect(server.stats.requests).toHaveLength(1);
    });
  });

  it('masks a basic password and a query api key wherever the API echoes them', async () => {
    await withServer({ auth: { type: 'basic', username: 'etl', password: 'right' } }, async (server) => {
      const basic = await failureOf({ url: `${server.url}/all/orders`, auth: { type: 'basic', username: 'etl', password: '${PW}' } }, { env: { PW: 'Wr0ng pass/word' } });
      expect(basic.message).toContain('"received":"etl:***"');
      const query = await failureOf({ url: `${server.url}/status/403`, auth: { type: 'api_key', name: 'key', value: '${KEY}', in: 'query' } }, { env: { KEY: 'k3y/with spaces' } });
      expect(query.message).toContain('/status/403?key=*** (page 1)');
      expect(`${basic.describe()} ${query.describe()}`).not.toMatch(/Wr0ng|k3y/);
    });
  });

  it('fails on HTML answered with 200, without retrying', async () => {
    await withServer({}, async (server) => {
      const error = await failureOf({ url: `${server.url}/html/orders`, retry: fastRetry });
      expect(error.code).toBe('SOURCE_READ_FAILED');
      expect(error.message).toContain('(page 1) answered text/html instead of JSON: <!DOCTYPE html> <html><head><title>Sign in</title>');
      expect(error.hint).toContain('login page');
      expect(server.stats.requests).toHaveLength(1);
    });
  });

  it('fails on malformed JSON', async () => {
    await withServer({}, async (server) => {
      const error = await failureOf({ url: `${server.url}/notjson` });
      expect(error.code).toBe('SOURCE_READ_FAILED');
      expect(error.message).toMatch(/answered malformed JSON \(.+\) instead of JSON: \{"data": \[\{"id": 1\}, \{"id": 2$/);
    });
  });

  it('names a records path that is missing, the keys that are there, and the list it could mean', async () => {
    await withServer({ records: 3 }, async (server) => {
      const missing = await failureOf({ url: `${server.url}/missing/orders`, records: 'data.items' });
      expect(missing.code).toBe('SOURCE_READ_FAILED');
      expect(missing.message).toContain('the records path "data.items" is not in the answer to GET');
      expect(missing.message).toContain('the body has no "data" (its keys are: results, count)');
      expect(missing.hint).toBe('there is a list at "results": write records: results');

      const notList = await failureOf({ url: `${server.url}/page/orders`, records: 'data' });
      expect(notList.message).toContain('"data" is a mapping (keys: items), not a list of records');
      expect(notList.hint).toBe('there is a list at "data.items": write records: data.items');
    });
  });

  it('stops a cursor that repeats', async () => {
    await withServer({ records: 3 }, async (server) => {
      const error = await failureOf({ url: `${server.url}/cursor-loop/orders`, records: 'data', pagination: { type: 'cursor', next: 'meta.next_cursor' } });
      expect(error.code).toBe('SOURCE_READ_FAILED');
      expect(error.message).toBe('table "orders": the cursor at "meta.next_cursor" points at a page already read; the pagination would never end');
      expect(server.stats.requests).toHaveLength(2);
    });
  });

  it('stops after max_pages pages', async () => {
    await withServer({}, async (server) => {
      const error = await failureOf({ url: `${server.url}/endless/orders`, records: 'data', pagination: { type: 'cursor', next: 'meta.next_cursor', max_pages: 5 } });
      expect(error.code).toBe('SOURCE_READ_FAILED');
      expect(error.message).toBe('table "orders": more than 5 pages and still a next one; the pagination looks endless');
      expect(server.stats.requests).toHaveLength(5);
    });
  });

  it('reports an unreachable host as SOURCE_UNAVAILABLE after the retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const log: string[] = [];
    const error = await failureOf({ url: `http://127.0.0.1:${port}/orders`, retry: fastRetry }, { log: (line) => log.push(line) });
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toMatch(new RegExp(`^table "orders": could not reach GET http://127\\.0\\.0\\.1:${port}/orders \\(page 1\\) after 3 attempts: .*ECONNREFUSED`));
    expect(log).toHaveLength(2);

    const blocked = await failureOf({ url: 'http://127.0.0.1:1/orders', retry: fastRetry });
    expect(blocked.code).toBe('SOURCE_UNAVAILABLE');
    expect(blocked.message).toContain('could not reach GET http://127.0.0.1:1/orders (page 1)');
  });

  it('times out an attempt that gets no answer, and retries it', async () => {
    await withServer({}, async (server) => {
      const error = await failureOf({ url: `${server.url}/hang`, timeout_seconds: 0.2, retry: { attempts: 2, initial_delay_ms: 1 } });
      expect(error.code).toBe('SOURCE_UNAVAILABLE');
      expect(error.message).toMatch(/no answer from GET .*\/hang \(page 1\) within 0\.2 s, 2 attempts$/);
      expect(server.stats.requests).toHaveLength(2);
    });
  });

  it('stops at once on abort, during a request and during a wait', async () => {
    await withServer({ failFirst: 1, failureStatuses: [429], retryAfterSeconds: [600] }, async (server) => {
      const inRequest = new AbortController();
      const reading = readAll({ url: `${server.url}/hang`, timeout_seconds: 600 }, { signal: inRequest.signal });
      await until(() => server.stats.requests.length === 1);
      const reason = new Error('cancelled by the test');
      inRequest.abort(reason);
      await expect(reading).rejects.toBe(reason);

      const inWait = new AbortController();
      const waiting = readAll({ url: `${server.url}/all/orders`, retry: { attempts: 3, max_delay_ms: 3_600_000 } }, { signal: inWait.signal });
      await until(() => server.stats.requests.length === 2);
      inWait.abort(reason);
      await expect(waiting).rejects.toBe(reason);
      expect(server.stats.requests).toHaveLength(2);
    });
  });

  it('names a variable that is not set, at the table, before any request', async () => {
    await withServer({}, async (server) => {
      const error = await failureOf({ url: `${server.url}/all/orders`, auth: { type: 'bearer', token: '${NOT_SET_TOKEN}' } });
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.describe()).toMatch(/^sources\/api\.yaml:3: table "orders": environment variable "NOT_SET_TOKEN" \(used in auth\.token\) is not set/);
      expect(server.stats.requests).toHaveLength(0);
    });
  });
});
