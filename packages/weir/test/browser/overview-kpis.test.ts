/**
 * The overview's DataOps KPIs and its failing and stale assets in Chromium, against `weir serve`
 * on the shop with a short history (a clean run, a failure of revenue, its fix, a run of
 * raw_orders alone on new data) after runs recorded on earlier days (one 40 days ago, in the
 * previous window): each tile shows the value /api/kpis answers, its delta and a sparkline of the
 * days with data; orders is listed as stale, naming raw_orders, and is stale in the asset table
 * and on the graph. A project that never ran says "no data yet" on every tile.
 * Screenshots: test-results/web-app/overview-kpis.png, overview-kpis-empty.png.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KpisBody } from '@weir/core';
import { createKpiHistoryShop } from '../e2e/kpi-history-fixture.js';
import { shopFiles } from '../e2e/shop-fixture.js';
import { createWeirProject } from '../e2e/weir-test-project.js';
import { browserTestsEnabled, explainFailure, serveInBrowser, SHOTS, type BrowserSession } from './browser-session.js';

const KPIS = ['deliveryTime', 'uptime', 'qualityScore', 'errorRate', 'timeToResolve'] as const;
const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

describe.skipIf(!browserTestsEnabled)('DataOps KPIs on the overview in Chromium', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await serveInBrowser(await createKpiHistoryShop({ pastRuns: true }));
  }, 180_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  it('shows each KPI as /api/kpis answers it, with its delta and trend', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.url}/#/`);
    const tile = (key: string) => page.locator(`[data-testid="kpis"] [data-kpi="${key}"]`);
    await tile('errorRate').waitFor();
    const api = (await (await fetch(`${session.url}/api/kpis?days=30`)).json()) as KpisBody;
    const shown = async (key: string) => ({ value: await tile(key).locator('.kpi-value').getAttribute('data-value'), text: await tile(key).locator('.kpi-value').textContent() });

    // Today: one failed run of four (one failed step of ten); before: one failed run of three, each with three steps.
    expect(api.errorRate).toMatchObject({ value: 2 / 7, failedRuns: 2, finishedRuns: 7, failedSteps: 2, steps: 19, previous: 0 });
    expect(await shown('errorRate')).toEqual({ value: String(2 / 7), text: '28.6%' });
    expect(await tile('errorRate').locator('.kpi-note').textContent()).toBe(`2 of 7 runs failed · steps ${percent(2 / 19)}`);
    expect(await tile('errorRate').locator('.kpi-delta').textContent()).toBe('+28.6 pts vs the 30 days before');
    expect(await tile('errorRate').locator('.kpi-delta').getAttribute('class')).toBe('kpi-delta worse');

    expect(await shown('qualityScore')).toEqual({ value: String(api.qualityScore.value), text: percent(api.qualityScore.value!) });
    expect(api.qualityScore.previous).toBe(1);
    expect(await tile('qualityScore').locator('.kpi-delta').textContent()).toBe(`−${Math.abs((api.qualityScore.value! - 1) * 100).toFixed(1)} pts vs the 30 days before`);

    // Past runs delivered in 6 s (raw_orders start to revenue end; the one that failed on revenue,
    // in 4 s to orders' end); today's two in well under that.
    expect(api.deliveryTime).toMatchObject({ samples: 5, previous: 6, previousP90: 6 });
    expect(Number((await shown('deliveryTime')).value)).toBe(api.deliveryTime.value);
    expect((await shown('deliveryTime')).text).toMatch(/^\d+\.\d+ s$/);
    expect(await tile('deliveryTime').locator('.kpi-delta').getAttribute('class')).toBe('kpi-delta better');

    // revenue's past failure took a day to fix, today's a few seconds; none is open.
    expect(api.timeToResolve).toMatchObject({ samples: 2, unresolved: 0, previous: null });
    expect(Number((await shown('timeToResolve')).value)).toBe(api.timeToResolve.value);
    expect(await tile('timeToResolve').locator('.kpi-note').textContent()).toBe('median of 2 · 0 unresolved');
    expect(await tile('timeToResolve').locator('.kpi-delta').textContent()).toBe('no data in the 30 days before');

    // Uptime counts time up to now, so it moves a little between the page's call and this one.
    const uptime = Number((await shown('uptime')).value);
    expect(uptime).toBeGreaterThan(0.9);
    expect(uptime).toBeLessThan(1);
    expect(uptime).toBeCloseTo(api.uptime.value!, 3);

    for (const key of KPIS) {
      // One point per day with data: the sparkline draws exactly the days the API has values for.
      const days = api[key].trend.filter((point) => point.value !== null).length;
      expect(days, key).toBeGreaterThan(1);
      expect(await tile(key).getByTestId('sparkline').getAttribute('data-points')).toBe(String(days));
    }
    expect(api.errorRate.trend.filter((point) => point.value !== null).length).toBe(4);

    await page.screenshot({ path: join(SHOTS, 'overview-kpis.png'), fullPage: true });
  });

  it('lists orders as stale, naming the upstream with newer data, and shows it stale in the table and the graph', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.url}/#/`);
    const row = page.locator('[data-testid="failing-assets"] tr[data-asset="orders"]');
    await row.waitFor();
    expect(await row.locator('.state').textContent()).toBe('stale');
    expect(await row.locator('td.reason').textContent()).toBe('"raw_orders" has newer data than this version (not rebuilt since)');
    expect(await page.locator('[data-testid="failing-assets"] tr[data-asset="revenue"]').count()).toBe(0);
    expect(await page.locator('table[data-testid="assets"] tr[data-asset="orders"] .state').textContent()).toBe('stale');

    await page.goto(`${session.url}/#/graph`);
    const node = page.locator('.graph-node[data-asset="orders"]');
    await node.waitFor();
    expect(await node.getAttribute('class')).toContain('state-stale');
    const fill = await page.evaluate(`getComputedStyle(document.querySelector('.graph-node[data-asset="orders"] rect')).fill`);
    expect(fill).toBe('rgb(241, 230, 255)');
    await page.screenshot({ path: join(SHOTS, 'graph-stale.png') });
  });
});

describe.skipIf(!browserTestsEnabled)('the overview of a project that never ran', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await serveInBrowser(await createWeirProject(shopFiles()));
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  it('says "no data yet" on every KPI and lists no failing asset', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.url}/#/`);
    await page.locator('[data-testid="kpis"] [data-kpi="uptime"]').waitFor();
    for (const key of KPIS) {
      expect(await page.locator(`[data-kpi="${key}"] .kpi-value`).textContent()).toBe('no data yet');
      expect(await page.locator(`[data-kpi="${key}"] [data-testid="sparkline"]`).count()).toBe(0);
    }
    expect(await page.locator('[data-kpi="timeToResolve"] .kpi-note').textContent()).toBe('0 unresolved');
    await page.locator('[data-testid="failing-assets"]').waitFor();
    expect(await page.locator('[data-testid="failing-assets"]').textContent()).toContain('No asset is failing, blocked or stale.');
    await page.screenshot({ path: join(SHOTS, 'overview-kpis-empty.png'), fullPage: true });
  });
});
