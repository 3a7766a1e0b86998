/**
 * The asset page's lineage and data routes against real storage (DuckDB warehouse, SQLite state):
 * column lineage of the shop project as `weir lineage --json` prints it, the first rows of the live
 * version as JSON-safe values, and rollback through the server (which serves the old rows after
 * it, waits for no run, and is for editors: 401 without a token, 403 for a viewer).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiCallEvent, AssetDetail, DataPreviewBody, LineageBody, RollbackBody, UnpinBody } from '@weir/core';
import { createApiToken } from '../../src/server/api-tokens.js';
import { createServerApp } from '../../src/server/create-server-app.js';
import { expectError, openServerHarness, type ServerHarness } from './server-harness.js';
import { gatedAssetTs, revenueSql, shopFiles } from '../e2e/shop-fixture.js';
import { createWeirProject, show, type WeirTestProject } from '../e2e/weir-test-project.js';

let project: WeirTestProject;
let server: ServerHarness;
let authApp: ReturnType<typeof createServerApp>;
const tokens: Record<string, string> = {};

/** Values a preview must hand over as JSON without losing or rounding them. */
const ODD_VALUES_SQL = `select
  DATE '2024-01-02' as day,
  TIMESTAMP '2024-01-02 03:04:05' as at,
  9007199254740993::BIGINT as big,
  42::BIGINT as small,
  12345678901234567.25::DECIMAL(20,2) as exact,
  'ab'::BLOB as bytes,
  [1, 2]::BIGINT[] as list
`;

beforeAll(async () => {
  project = await createWeirProject({ ...shopFiles(), 'models/odd_values.sql': ODD_VALUES_SQL });
  // Two published versions of revenue: the second adds a column. calendar is never built.
  const first = await project.weir(['run', '--exclude', 'calendar']);
  expect(first.code, show(first)).toBe(0);
  project.write({ 'models/revenue.sql': revenueSql(', 7 as marker') });
  const second = await project.weir(['run', '--exclude', 'calendar']);
  expect(second.code, show(second)).toBe(0);
  server = await openServerHarness(project.root);
  authApp = createServerApp({ hub: server.hub, view: server.view, health: server.health, auth: { required: true } });
  for (const role of ['viewer', 'editor'] as const) tokens[role] = (await createApiToken(server.runtime.store, { name: `${role}-token`, role, by: 'test@host' })).token;
}, 180_000);

afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

function call(app: ReturnType<typeof createServerApp>, method: string, path: string, options: { token?: string; body?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return Promise.resolve(app.request(path, { method, headers, ...(options.body === undefined ? {} : { body: options.body }) }));
}


async function rollback(body: unknown, token?: string, app = server.app): Promise<Response> {
  return call(app, 'POST', '/api/assets/revenue/rollback', { ...(token === undefined ? {} : { token }), body: body === undefined ? '' : JSON.stringify(body) });
}

describe('GET /api/lineage/:asset', () => {
  it("answers each column's direct upstream with its edge kind, and the walks both ways", async () => {
    const revenue = await server.get<LineageBody>('/api/lineage/revenue');
    expect(revenue).toMatchObject({ asset: 'revenue', column: null, direction: 'both', depth: null });
    expect(revenue.lineage).toMatchObject({ kind: 'sql', inputs: ['orders'], complete: true, tableLevel: false });
    const direct = Object.fromEntries(revenue.lineage.columns.map((column) => [column.name, column.upstream]));
    expect(direct).toEqual({
      customer_id: [{ asset: 'orders', column: 'customer_id', kind: 'exact' }],
      revenue: [{ asset: 'orders', column: 'amount', kind: 'derived' }],
      order_count: [],
      marker: [],
    });
    // End to end: the sum reaches the CSV's column through a copy, so that node is derived, not exact.
    expect(revenue.upstream?.find((node) => node.asset === 'raw_orders' && node.column === 'amount')).toEqual({
      asset: 'raw_orders',
      column: 'amount',
      kind: 'derived',
      exact: false,
      path: [
        { asset: 'orders', column: 'amount', kind: 'derived' },
        { asset: 'raw_orders', column: 'amount', kind: 'exact' },
      ],
    });
    // The TypeScript asset declares no lineage: table-level, every column possibly from all of revenue.
    expect(revenue.downstream?.map((node) => [`${node.asset}.${node.column}`, node.kind])).toEqual([
      ['big_customers.customer_id', 'unknown'],
      ['big_customers.revenue', 'unknown'],
    ]);
    const typescript = await server.get<LineageBody>('/api/lineage/big_customers?direction=upstream');
    expect(typescript.lineage).toMatchObject({ kind: 'typescript', tableLevel: true });
    expect(typescript.lineage.columns[0]?.upstream).toEqual([{ asset: 'revenue', column: null, kind: 'unknown' }]);
    expect(typescript.downstream).toBeUndefined();
  });

  it('is the body weir lineage --json prints', async () => {
    const cli = await project.weirJson(['lineage', 'orders.amount', '--downstream', '--json']);
    expect(await server.get('/api/lineage/orders?column=amount&direction=downstream')).toEqual(cli);
  }, 60_000);

  it('walks one column downstream (impact analysis), as deep as asked', async () => {
    const impact = await server.get<LineageBody>('/api/lineage/orders?column=amount&direction=downstream');
    expect(impact.upstream).toBeUndefined();
    expect(impact.downstream?.map((node) => `${node.asset}.${node.column} ${node.kind}`)).toEqual(['revenue.revenue derived', 'big_customers.customer_id unknown', 'big_customers.revenue unknown']);
    const near = await server.get<LineageBody>('/api/lineage/orders?column=amount&direction=downstream&depth=1');
    expect(near.depth).toBe(1);
    expect(near.downstream?.map((node) => `${node.asset}.${node.column}`)).toEqual(['revenue.revenue']);
    // A column no model reads reaches nothing.
    expect((await server.get<LineageBody>('/api/lineage/orders?column=status&direction=downstream')).downstream).toEqual([
      { asset: 'status_counts', column: 'status', kind: 'exact', exact: true, path: [{ asset: 'status_counts', column: 'status', kind: 'exact' }] },
    ]);
  });

  it('answers 400 for a bad direction or depth and 404 with a did-you-mean for an unknown asset or column', async () => {
    expect((await expectError(await call(server.app, 'GET', '/api/lineage/revenue?direction=sideways'), 400, 'USAGE')).message).toContain('upstream, downstream or both');
    for (const depth of ['0', '-1', 'two', '1.5', '1001']) await expectError(await call(server.app, 'GET', `/api/lineage/revenue?depth=${depth}`), 400, 'USAGE');
    expect((await expectError(await call(server.app, 'GET', '/api/lineage/revenu'), 404, 'ASSET_UNKNOWN')).hint).toContain('"revenue"');
    expect((await expectError(await call(server.app, 'GET', '/api/lineage/revenue?column=revenu'), 404, 'COLUMN_UNKNOWN')).hint).toContain('revenue.revenue');
  });
});

describe('GET /api/assets/:name/preview', () => {
  it('answers the first rows of the live version with their columns', async () => {
    const orders = await server.get<DataPreviewBody>('/api/assets/orders/preview');
    expect(orders).toMatchObject({ asset: 'orders', environment: 'prod', limit: 50 });
    expect(orders.version).toBe((await server.get<AssetDetail>('/api/assets/orders')).version);
    expect(orders.columns).toEqual([
      { name: 'order_id', type: 'BIGINT' },
      { name: 'customer_id', type: 'BIGINT' },
      { name: 'amount', type: 'DECIMAL(12,2)' },
      { name: 'status', type: 'VARCHAR' },
    ]);
    expect([...orders.rows].sort((left, right) => Number(left[0]) - Number(right[0]))).toEqual([
      [1, 10, 5.5, 'placed'],
      [2, 11, 7.25, 'shipped'],
      [3, 10, 1, 'placed'],
      [4, 11, 20, 'returned'],
    ]);
    expect((await server.get<DataPreviewBody>('/api/assets/orders/preview?limit=2')).rows).toHaveLength(2);
  });

  it('hands over values JSON keeps exactly: dates as ISO strings, big numbers as strings, bytes as hex', async () => {
    const { rows } = await server.get<DataPreviewBody>('/api/assets/odd_values/preview');
    expect(rows).toEqual([['2024-01-02T00:00:00.000Z', '2024-01-02T03:04:05.000Z', '9007199254740993', 42, '12345678901234567.25', '\\x6162', [1, 2]]]);
  });

  it('answers 404 for an asset never built or unknown, 400 for a limit out of bounds', async () => {
    const never = await expectError(await call(server.app, 'GET', '/api/assets/calendar/preview'), 404, 'VERSION_UNKNOWN');
    expect(never.message).toContain('never been built');
    expect((await expectError(await call(server.app, 'GET', '/api/assets/ordrs/preview'), 404, 'ASSET_UNKNOWN')).hint).toContain('"orders"');
    for (const limit of ['0', '501', 'ten', '-3']) await expectError(await call(server.app, 'GET', `/api/assets/orders/preview?limit=${limit}`), 400, 'USAGE');
  });
});

describe('POST /api/assets/:name/rollback', () => {
  it('points the asset at the version live before: the preview serves the old rows, the asset is pinned, the log says so', async () => {
    const before = await server.get<AssetDetail>('/api/assets/revenue');
    const published = before.versions.filter((version) => version.status === 'published');
    expect(published).toHaveLength(2);
    const [newest, older] = published as [AssetDetail['versions'][number], AssetDetail['versions'][number]];
    expect(newest.live).toBe(true);
    expect((await server.get<DataPreviewBody>('/api/assets/revenue/preview')).columns.map((column) => column.name)).toContain('marker');

    const response = await rollback(undefined);
    expect(response.status, await response.clone().text()).toBe(200);
    expect((await response.json()) as RollbackBody).toEqual({ asset: 'revenue', environment: 'prod', from: newest.version, to: older.version, pinned: true });

    const preview = await server.get<DataPreviewBody>('/api/assets/revenue/preview');
    expect(preview.version).toBe(older.version);
    expect(preview.columns.map((column) => column.name)).toEqual(['customer_id', 'revenue', 'order_count']);
    const after = await server.get<AssetDetail>('/api/assets/revenue');
    expect(after).toMatchObject({ version: older.version, pinned: true });
    const events = (await server.runtime.store.events({ asset: 'revenue' })).slice(-2);
    expect(events).toMatchObject([
      { type: 'asset_published', version: older.version, previousVersion: newest.version, reason: 'rollback' },
      { type: 'asset_pinned', pinned: true },
    ]);

    // Forward again by a prefix of the newer version.
    const forward = await rollback({ version: newest.version.slice(0, 6) });
    expect(forward.status, await forward.clone().text()).toBe(200);
    expect((await server.get<DataPreviewBody>('/api/assets/revenue/preview')).columns.map((column) => column.name)).toContain('marker');
  });

  it('answers 400 for a malformed body and 404 for an unknown asset or version or nothing to go back to', async () => {
    for (const body of ['not json', '[]', '{"version": 5}', '{"version": ""}', '{"to": "abc"}', '{"wait": "yes"}']) {
      await expectError(await call(server.app, 'POST', '/api/assets/revenue/rollback', { body }), 400, 'USAGE');
    }
    expect((await expectError(await rollback({ version: 'ffffffffffff' }), 404, 'VERSION_UNKNOWN')).message).toContain('no version "ffffffffffff"');
    expect((await expectError(await call(server.app, 'POST', '/api/assets/revenu/rollback'), 404, 'ASSET_UNKNOWN')).hint).toContain('"revenue"');
    expect((await expectError(await call(server.app, 'POST', '/api/assets/calendar/rollback'), 404, 'VERSION_UNKNOWN')).message).toContain('no published version');
    // orders has one version only.
    expect((await expectError(await call(server.app, 'POST', '/api/assets/orders/rollback'), 404, 'VERSION_UNKNOWN')).message).toContain('no earlier published version');
  });

  it('never runs while a run writes: 409 PROJECT_LOCKED naming the run, or with wait, after it', async () => {
    // Added now, so it is never built and the run below builds it; it waits until the gate file exists.
    const gate = join(project.root, 'gate');
    project.write({ 'models/slow_orders.ts': gatedAssetTs().replace('process.env.WEIR_E2E_GATE', JSON.stringify(gate)) });
    const runId = await server.hub.submit({ command: 'run', select: ['slow_orders'], exclude: [], wait: false });
    await new Promise<void>((resolve) => {
      const stop = server.hub.follow(runId, (message) => {
        if (message.kind === 'log' && message.message.includes('waiting at the gate')) {
          resolve();
          queueMicrotask(() => stop?.());
        }
      });
    });
    const refused = await expectError(await rollback(undefined), 409, 'PROJECT_LOCKED');
    expect(refused.message).toContain(`run ${runId}`);
    expect(refused.hint).toContain('"wait": true');

    const order: string[] = [];
    const queued = rollback({ wait: true }).then((response) => {
      order.push('rollback');
      return response;
    });
    const finished = server.hub.finished(runId).then((status) => order.push(`run ${status}`));
    writeFileSync(gate, '');
    const response = await queued;
    await finished;
    expect(response.status, await response.clone().text()).toBe(200);
    expect(order).toEqual(['run succeeded', 'rollback']);
  }, 60_000);
});

describe('POST /api/assets/:name/unpin', () => {
  it('lets runs publish a rolled-back asset again: pinned no more, logged; a second unpin releases nothing', async () => {
    expect((await rollback(undefined)).status).toBe(200);
    expect((await server.get<AssetDetail>('/api/assets/revenue')).pinned).toBe(true);
    const logged = (await server.runtime.store.events()).length;

    const response = await call(server.app, 'POST', '/api/assets/revenue/unpin');
    expect(response.status, await response.clone().text()).toBe(200);
    expect((await response.json()) as UnpinBody).toEqual({ asset: 'revenue', environment: 'prod', released: true });
    expect((await server.get<AssetDetail>('/api/assets/revenue')).pinned).toBe(false);
    expect((await server.runtime.store.events({ afterId: logged })).filter((event) => event.type === 'asset_pinned')).toMatchObject([{ asset: 'revenue', pinned: false }]);

    const again = await call(server.app, 'POST', '/api/assets/revenue/unpin');
    expect((await again.json()) as UnpinBody).toMatchObject({ released: false });
    await expectError(await call(server.app, 'POST', '/api/assets/revenu/unpin'), 404, 'ASSET_UNKNOWN');
  });

  it('needs an editor token when authentication is on (403 for a viewer, who leaves the pin in place)', async () => {
    expect((await rollback(undefined)).status).toBe(200);
    const refused = await expectError(await call(authApp, 'POST', '/api/assets/revenue/unpin', { token: tokens.viewer! }), 403, 'FORBIDDEN');
    expect(refused.message).toContain('needs an editor token');
    expect((await server.get<AssetDetail>('/api/assets/revenue')).pinned).toBe(true);
    const allowed = await call(authApp, 'POST', '/api/assets/revenue/unpin', { token: tokens.editor! });
    expect(((await allowed.json()) as UnpinBody).released).toBe(true);
  });
});

describe('with authentication on', () => {
  it('answers 401 without a token', async () => {
    await expectError(await call(authApp, 'GET', '/api/lineage/revenue'), 401, 'UNAUTHORIZED');
    await expectError(await call(authApp, 'GET', '/api/assets/revenue/preview'), 401, 'UNAUTHORIZED');
    await expectError(await rollback(undefined, undefined, authApp), 401, 'UNAUTHORIZED');
  });

  it('lets a viewer read lineage and rows but not roll back or start a run (403)', async () => {
    expect((await call(authApp, 'GET', '/api/lineage/revenue', { token: tokens.viewer! })).status).toBe(200);
    expect((await call(authApp, 'GET', '/api/assets/revenue/preview', { token: tokens.viewer! })).status).toBe(200);
    const live = (await server.get<AssetDetail>('/api/assets/revenue')).version;
    const refused = await expectError(await rollback(undefined, tokens.viewer, authApp), 403, 'FORBIDDEN');
    expect(refused.message).toContain('needs an editor token');
    await expectError(await call(authApp, 'POST', '/api/runs', { token: tokens.viewer!, body: '{}' }), 403, 'FORBIDDEN');
    expect((await server.get<AssetDetail>('/api/assets/revenue')).version).toBe(live);
  });

  it('lets an editor roll back, recorded with the token name', async () => {
    const live = (await server.get<AssetDetail>('/api/assets/revenue')).version;
    const response = await rollback(undefined, tokens.editor, authApp);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(((await response.json()) as RollbackBody).from).toBe(live);
    expect((await server.get<AssetDetail>('/api/assets/revenue')).version).not.toBe(live);
    const calls = (await server.runtime.store.events())
      .filter((event): event is ApiCallEvent & { id: number } => event.type === 'api_call' && event.path === '/api/assets/revenue/rollback' && event.token !== null)
      .map((event) => [event.token, event.status]);
    expect(calls).toEqual([
      ['viewer-token', 403],
      ['editor-token', 200],
    ]);
  });
});
