/**
 * Catalog search (`GET /api/search`) against real storage: the shop project built by the real
 * `weir run`, the Hono app of `weir serve` asked in-process. Columns of built assets come from the
 * warehouse, of unbuilt ones from the project's files; the warehouse is described once per
 * published version, not once per request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/server/api-tokens.js';
import { CatalogCache } from '../../src/server/catalog-cache.js';
import { createServerApp } from '../../src/server/create-server-app.js';
import { ProjectView } from '../../src/server/project-view.js';
import type { CatalogSearchBody, EngineAdapter } from '@weir/core';
import { createBuiltShop, revenueSql, SHOP_ASSETS } from '../e2e/shop-fixture.js';
import type { WeirTestProject } from '../e2e/weir-test-project.js';
import { openServerHarness, type ServerHarness } from './server-harness.js';

let project: WeirTestProject;
let server: ServerHarness;

beforeAll(async () => {
  project = await createBuiltShop();
  server = await openServerHarness(project.root);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

type ErrorBody = { error: { code: string; message: string; hint?: string } };

const search = (query: string, status = 200) => server.get<CatalogSearchBody>(`/api/search?q=${encodeURIComponent(query)}`, status);

/** Runs `select` in the in-process server and waits for the run to end. */
async function runInServer(select: string[]): Promise<void> {
  const runId = await server.hub.submit({ command: 'run', select, exclude: [] });
  await new Promise<void>((resolve, reject) => {
    server.hub.follow(runId, (message) => {
      if (message.kind === 'end') resolve();
      if (message.kind === 'error') reject(new Error(JSON.stringify(message)));
    });
  });
}

describe('GET /api/search', () => {
  it('ranks a name over a column over a description, with the matched fields and ranges', async () => {
    const body = await search('cust');
    expect(body.query).toBe('cust');
    expect(body.total).toBe(4);
    expect(body.hits.map((hit) => [hit.name, hit.score])).toEqual([
      ['big_customers', 1000],
      ['orders', 100],
      ['revenue', 100],
      ['raw_orders', 100],
    ]);
    expect(body.hits[0]).toMatchObject({ kind: 'typescript', description: 'Customers with revenue of at least 10', file: 'models/big_customers.ts' });
    expect(body.hits[0]!.matches).toEqual([
      { field: 'name', text: 'big_customers', ranges: [[4, 8]] },
      { field: 'column', text: 'customer_id', column: 'customer_id', ranges: [[0, 4]] },
      { field: 'description', text: 'Customers with revenue of at least 10', ranges: [[0, 4]] },
    ]);
    expect(body.hits.find((hit) => hit.name === 'revenue')!.matches).toEqual([
      { field: 'column', text: 'customer_id', column: 'customer_id', ranges: [[0, 4]] },
      { field: 'description', text: 'Revenue per customer', ranges: [[12, 16]] },
    ]);
  });

  it('searches the columns the warehouse has, tags, and fields named with field:word', async () => {
    // `amount` is a column of the built raw_orders and orders only (revenue sums it into `revenue`).
    expect((await search('amount')).hits.map((hit) => hit.name)).toEqual(['orders', 'raw_orders']);
    expect((await search('col:order_count')).hits.map((hit) => hit.name)).toEqual(['revenue']);
    expect((await search('tag:core')).hits.map((hit) => hit.name)).toEqual(['orders', 'status_counts']);
    expect((await search('kind:typescript revenue')).hits.map((hit) => hit.name)).toEqual(['big_customers']);
    expect((await search('nothing_like_this')).hits).toEqual([]);
  });

  it('honours limit and reports the total beyond it', async () => {
    const body = await server.get<CatalogSearchBody>('/api/search?q=cust&limit=2');
    expect(body.total).toBe(4);
    expect(body.hits.map((hit) => hit.name)).toEqual(['big_customers', 'orders']);
  });

  it('finds an asset not built yet by its declared columns, as soon as its file is written', async () => {
    project.write({
      'models/refunds.sql': `/*---
owner: payments-team
columns:
  refund_reason: Why the customer asked for the money back
---*/
select order_id, 'damaged' as refund_reason from orders
`,
    });
    const body = await search('refund_reason');
    expect(body.hits.map((hit) => hit.name)).toEqual(['refunds']);
    // Two words in a row: `refunds` (the name) is not `refund` followed by `reason`.
    expect(body.hits[0]!.matches).toEqual([{ field: 'column', text: 'refund_reason', column: 'refund_reason', ranges: [[0, 13]] }]);
    expect(body.hits[0]!.score).toBe(200);
    expect((await search('desc:money owner:payments')).hits.map((hit) => hit.name)).toEqual(['refunds']);
    project.remove('models/refunds.sql');
    expect((await search('refund_reason')).hits).toEqual([]);
  });

  it('refuses an empty, blank or overlong q and a bad limit (400)', async () => {
    const empty = await server.get<ErrorBody>('/api/search', 400);
    expect(empty.error.code).toBe('USAGE');
    expect(empty.error.message).toContain('q must hold a search');
    expect((await server.get<ErrorBody>('/api/search?q=%20%20', 400)).error.code).toBe('USAGE');
    const long = await server.get<ErrorBody>(`/api/search?q=${'a'.repeat(201)}`, 400);
    expect(long.error.message).toBe('q is 201 characters long; a search may be at most 200');
    await server.get<CatalogSearchBody>(`/api/search?q=${'a'.repeat(200)}`, 200);
    for (const limit of ['0', '201', '2.5', 'many']) {
      expect((await server.get<ErrorBody>(`/api/search?q=cust&limit=${limit}`, 400)).error.message).toContain('limit must be a whole number from 1 to 200');
    }
  });
});

describe('GET /api/search with authentication on', () => {
  it('answers 401 without a token and a viewer its search (reading needs no more)', async () => {
    const app = createServerApp({ hub: server.hub, view: server.view, health: server.health, auth: { required: true } });
    const anonymous = await app.request('/api/search?q=cust');
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as ErrorBody).error.code).toBe('UNAUTHORIZED');
    const { token } = await createApiToken(server.runtime.store, { name: 'catalog-viewer', role: 'viewer', by: 'test@host' });
    const viewer = await app.request('/api/search?q=cust', { headers: { authorization: `Bearer ${token}` } });
    expect(viewer.status).toBe(200);
    expect(((await viewer.json()) as CatalogSearchBody).hits.map((hit) => hit.name)).toEqual(['big_customers', 'orders', 'revenue', 'raw_orders']);
  });
});

/** A view over the real engine whose `describe` calls are counted: describe is the call a cache must spare. */
function countedView(): { view: ProjectView; describes: () => number } {
  let describes = 0;
  const counted = new Proxy(server.view.engine, {
    get: (target, key) => (key === 'describe' ? (...args: Parameters<EngineAdapter['describe']>) => ((describes += 1), target.describe(...args)) : Reflect.get(target, key)),
  });
  return { view: new ProjectView(project.root, undefined, server.runtime.store, counted), describes: () => describes };
}

describe('the catalog cache', () => {
  it('describes each built asset once per published version, not per search', async () => {
    const { view, describes } = countedView();
    const cache = new CatalogCache(view);
    const first = await cache.entries();
    expect(first.map((entry) => entry.name).sort()).toEqual([...SHOP_ASSETS].sort());
    expect(first.every((entry) => entry.columnsFrom === 'warehouse')).toBe(true);
    expect(describes()).toBe(SHOP_ASSETS.length);
    expect(await cache.entries()).toBe(first);
    expect(describes()).toBe(SHOP_ASSETS.length);

    // A new publication of revenue: revenue alone is described again, and shows its new column.
    project.write({ 'models/revenue.sql': revenueSql(', max(amount) as largest_order') });
    await runInServer(['revenue']);
    const second = await cache.entries();
    expect(describes()).toBe(SHOP_ASSETS.length + 1);
    expect(second.find((entry) => entry.name === 'revenue')!.columns.map((column) => column.name)).toEqual(['customer_id', 'revenue', 'order_count', 'largest_order']);
    expect((await search('largest')).hits.map((hit) => hit.name)).toEqual(['revenue']);
  });

  it('warmed ahead of the first search, describes nothing more when searched', async () => {
    const { view, describes } = countedView();
    const cache = new CatalogCache(view);
    await cache.warm();
    expect(describes()).toBe(SHOP_ASSETS.length);
    const app = createServerApp({ hub: server.hub, view, health: { status: 'ok', project: 'shop', root: project.root, pid: process.pid }, catalog: cache });
    const response = await app.request(`/api/search?q=${encodeURIComponent('customer_id')}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as CatalogSearchBody).hits.map((hit) => hit.name)).toContain('revenue');
    expect(describes()).toBe(SHOP_ASSETS.length);
  });
});
