/**
 * `GET /api/kpis` and the `stale` asset state against real storage: the shop's KPI history built
 * by the real `weir` binary (a clean run, a failure, its fix, a source-only run), then the Hono
 * app of `weir serve` asked in-process. The body must be what core's `computeKpis` folds from the
 * same store; bad `days` are refused; a viewer may read it, no token may not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeKpis, inputsOf, type AssetSummary, type KpisBody } from '@weir/core';
import { createApiToken } from '../../src/server/api-tokens.js';
import { createServerApp } from '../../src/server/create-server-app.js';
import { openServerHarness, type ServerHarness } from './server-harness.js';
import { createKpiHistoryShop } from '../e2e/kpi-history-fixture.js';
import type { WeirTestProject } from '../e2e/weir-test-project.js';

let project: WeirTestProject;
let server: ServerHarness;
let get: ServerHarness['get'];

beforeAll(async () => {
  project = await createKpiHistoryShop();
  server = await openServerHarness(project.root);
  ({ get } = server);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

type ErrorBody = { error: { code: string; message: string; hint?: string } };

/** The parts of a body that do not move with the clock (uptime counts time up to now). */
function steady(body: KpisBody): Omit<KpisBody, 'to' | 'uptime'> {
  const rest: Partial<KpisBody> = { ...body };
  delete rest.to;
  delete rest.uptime;
  return rest as Omit<KpisBody, 'to' | 'uptime'>;
}

describe('GET /api/kpis', () => {
  it('answers the five KPIs of the history: one failed run of four, one failure resolved, two deliveries', async () => {
    const body = await get<KpisBody>('/api/kpis');
    expect(body).toMatchObject({ environment: 'prod', days: 30, runsRead: 4, truncated: false });
    expect(body.errorRate).toMatchObject({ value: 0.25, failedRuns: 1, finishedRuns: 4, stepErrorRate: 0.1, failedSteps: 1, steps: 10, previous: null });
    // The fix published revenue again: resolved, nothing open.
    expect(body.timeToResolve).toMatchObject({ samples: 1, unresolved: 0, oldestUnresolvedSince: null });
    expect(body.timeToResolve.value).toBeGreaterThan(0);
    // The first run and the raw_orders run loaded new source data; the fix found raw_orders unchanged.
    expect(body.deliveryTime.samples).toBe(2);
    expect(body.deliveryTime.value).toBeGreaterThan(0);
    expect(body.deliveryTime.p90).toBeGreaterThanOrEqual(body.deliveryTime.value!);
    // revenue_not_negative (warn) failed after the fix; everything else passed.
    expect(body.qualityScore.value).toBeGreaterThan(0.8);
    expect(body.qualityScore.value).toBeLessThan(1);
    // revenue was down between its failure and the fix.
    expect(body.uptime.value).toBeGreaterThan(0);
    expect(body.uptime.value).toBeLessThan(1);
    expect(body.uptime.trend).toHaveLength(30);
    expect(body.uptime.trend.at(-1)!.value).toBe(body.uptime.value);
  });

  it("is exactly what core's computeKpis folds from the same store", async () => {
    const body = await get<KpisBody>('/api/kpis?days=7');
    const { project: loaded, store } = server.runtime;
    const assets = [...loaded.assets.values()];
    const direct = await computeKpis(store, {
      environment: 'prod',
      assets: assets.map((asset) => asset.name),
      roots: new Set(assets.filter((asset) => inputsOf(asset).length === 0).map((asset) => asset.name)),
      days: 7,
      now: new Date(body.to),
    });
    expect(steady(body)).toEqual(steady(direct));
    expect(body.days).toBe(7);
    expect(body.deliveryTime.trend).toHaveLength(7);
  });

  it('refuses days that are not a whole number from 1 to 365 (400 USAGE)', async () => {
    for (const days of ['0', '366', 'abc', '1.5', '-3', '1e1', '']) {
      const refused = await get<ErrorBody>(`/api/kpis?days=${days}`, 400);
      expect(refused.error.code).toBe('USAGE');
      expect(refused.error.message).toContain(`"${days}"`);
    }
  });

  it('needs a viewer token when authentication is on', async () => {
    const app = createServerApp({ hub: server.hub, view: server.view, health: server.health, auth: { required: true } });
    expect((await app.request('/api/kpis')).status).toBe(401);
    const { token } = await createApiToken(server.runtime.store, { name: 'kpi-viewer', role: 'viewer', by: 'test@host' });
    const viewed = await app.request('/api/kpis', { headers: { authorization: `Bearer ${token}` } });
    expect(viewed.status).toBe(200);
  });
});

describe('the stale state in GET /api/assets', () => {
  it('marks an asset stale when an upstream has newer data, naming it', async () => {
    const assets = await get<AssetSummary[]>('/api/assets');
    const byName = new Map(assets.map((asset) => [asset.name, asset]));
    expect(byName.get('orders')).toMatchObject({ state: 'stale', staleReason: '"raw_orders" has newer data than this version (not rebuilt since)' });
    // revenue was built from the orders that are live: not stale, and a warn check failed on it.
    expect(byName.get('revenue')).toMatchObject({ state: 'warning', staleReason: null });
    expect(byName.get('raw_orders')).toMatchObject({ state: 'published', staleReason: null });
  });

  it('marks an asset stale once its live version is older than its freshness check allows', async () => {
    const calendar = (await get<AssetSummary[]>('/api/assets')).find((asset) => asset.name === 'calendar')!;
    const builtAt = (await server.runtime.store.versions('calendar'))[0]!.createdAt;
    // expected_every is 1s: wait until the build is surely older (a condition on the clock, not a timing).
    const wait = Date.parse(builtAt) + 1100 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const later = (await get<AssetSummary[]>('/api/assets')).find((asset) => asset.name === 'calendar')!;
    expect(later.state).toBe('stale');
    expect(later.staleReason).toMatch(/^built \d+[smh].* ago, older than the 1s freshness check "calendar_fresh" allows$/);
    expect(['stale', 'published']).toContain(calendar.state);
  });
});
