/**
 * HTTP API sources as a user drives them, against a local API that fails a third of its requests
 * (500, 503 and 429 with Retry-After): every page arrives, each record is loaded exactly once,
 * nested JSON becomes columns, incremental loads ask only for records past the high-water mark;
 * and the bad cases: HTML instead of JSON, wrong credentials, a published version left intact.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFlakyHttpServer, type FlakyHttpServer } from '../../../core/src/testing/flaky-http-server.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

const TOKEN = 'tok-3f9a-secret-value';

function sources(route: string, extra = ''): string {
  return `source: shop_api
tables:
  - name: api_orders
    primary_key: id
    http:
      url: "\${SHOP_API}${route}"
      auth: { type: bearer, token: "\${SHOP_API_TOKEN}" }
      records: data.items
      pagination: { type: page, param: page, start: 1, size_param: per_page, size: 20 }
      retry: { attempts: 8, initial_delay_ms: 5, max_delay_ms: 2000 }
${extra}    checks:
      - unique: id
`;
}

describe('HTTP sources', () => {
  let server: FlakyHttpServer;
  let project: WeirTestProject;
  const env = () => ({ SHOP_API: server.url, SHOP_API_TOKEN: TOKEN });

  beforeAll(async () => {
    server = await startFlakyHttpServer({ records: 250, failureRate: 0.3, retryAfterSeconds: [0], seed: 7, auth: { type: 'bearer', token: TOKEN } });
    project = await createWeirProject({ 'weir.yaml': 'name: api\n', 'sources/shop_api.yaml': sources('/page/orders') });
  });
  afterAll(async () => {
    await project?.cleanup();
    await server?.close();
  });

  test('loads every page of a flaky API exactly once, nested fields as columns', async () => {
    const run = await project.weir(['run'], { env: env() });
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/read 250 record\(s\) in 13 page\(s\)/);
    const failures = server.stats.requests.filter((request) => request.status !== 200);
    expect(failures.length).toBeGreaterThan(2);
    // Every page was answered with data once: a retry repeats only a request that failed.
    expect([...server.stats.pagesServed.values()].map((page) => page.times)).toEqual(Array(13).fill(1));
    const rows = await project.query<{ id: number; nested__a: number; nested__b__c: string; tags: string }>('select id, nested__a, nested__b__c, tags from api_orders order by id');
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
    const first = server.dataset[0]!;
    expect(rows[0]).toMatchObject({ nested__a: first.nested.a, nested__b__c: first.nested.b.c });
    expect(JSON.parse(String(rows[0]!.tags))).toEqual(first.tags);
  });

  test('answering HTML instead of JSON fails the load with a clear error, and the published version stays', async () => {
    project.write({ 'sources/shop_api.yaml': sources('/html/orders') });
    const run = await project.weir(['run'], { env: env() });
    expect(run.code, show(run)).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/text\/html instead of JSON/);
    expect((await project.query<{ n: number }>('select count(*) as n from api_orders'))[0]!.n).toBe(250);
  });

  test('wrong credentials: the error names the status and hides the token', async () => {
    project.write({ 'sources/shop_api.yaml': sources('/page/orders') });
    const run = await project.weir(['run'], { env: { ...env(), SHOP_API_TOKEN: 'wrong-token-value-123' } });
    expect(run.code, show(run)).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/401/);
    expect(run.stdout + run.stderr).not.toContain('wrong-token-value-123');
  });

  test('incremental: a later run asks only for records past the high-water mark and merges them by key', async () => {
    const incremental = '      incremental: { param: updated_since, cursor: updated_at }\n';
    project.write({ 'sources/shop_api.yaml': sources('/page/orders', incremental) });
    const first = await project.weir(['run'], { env: env() });
    expect(first.code, show(first)).toBe(0);
    await server.close();
    server = await startFlakyHttpServer({ records: 300, failureRate: 0.3, retryAfterSeconds: [0], seed: 8, auth: { type: 'bearer', token: TOKEN } });
    const second = await project.weir(['run'], { env: env() });
    expect(second.code, show(second)).toBe(0);
    expect(second.stdout + second.stderr).toMatch(/read 50 record\(s\) in 3 page\(s\) past the mark/);
    const marked = server.stats.requests.filter((request) => request.status === 200).map((request) => Date.parse(String(request.query.updated_since)));
    expect(new Set(marked)).toEqual(new Set([Date.parse(server.dataset[249]!.updated_at)]));
    const ids = (await project.query<{ id: number }>('select id from api_orders order by id')).map((row) => row.id);
    expect(ids).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));
    const shown = await project.weir(['show', 'api_orders'], { env: env() });
    expect(shown.stdout).toMatch(/incremental by updated_at \(sent as updated_since\); high-water mark \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  });

  test('bad HTTP config is reported with the file and line before anything runs', async () => {
    project.write({ 'sources/shop_api.yaml': sources('/page/orders').replace('type: page', 'type: pages') });
    const run = await project.weir(['run'], { env: env() });
    expect(run.code, show(run)).toBe(2);
    expect(run.stderr).toMatch(/sources\/shop_api\.yaml:\d+.*pagination\.type/);
  });
});
