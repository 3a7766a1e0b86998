/**
 * The acceptance tour of the web app on the demo project (`weir init`, `weir run`, then
 * `weir serve`): every page shows the project's real
 * data, compared with what the API answers: the overview's KPIs, failing assets and runs; the
 * graph, clicked through to an asset; the asset page's columns, lineage, preview and control
 * chart; feedback submitted and tracked on the overview; the catalog; the runs list and a run
 * page; and a run started from the UI followed live to its end. Screenshots in
 * test-results/web-app/demo-*.png.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AssetSummary, KpisBody, RunDetail, RunSummary, SpcChartBody } from '@weir/core';
import { createWeirProject, show } from '../e2e/weir-test-project.js';
import { SHOTS, browserTestsEnabled, explainFailure, serveInBrowser, type BrowserSession } from './browser-session.js';

describe.skipIf(!browserTestsEnabled)('the web app on the demo project', () => {
  let session: BrowserSession;
  let page: Page;
  let assets: AssetSummary[];

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${session.url}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `demo-${name}.png`), fullPage: true });

  beforeAll(async () => {
    const project = await createWeirProject({});
    try {
      const init = await project.weir(['init', '.', '--size', 'small']);
      expect(init.code, show(init)).toBe(0);
      // The demo holds one mart back on purpose (exit 1); the rest is published.
      const run = await project.weir(['run']);
      expect(run.code, show(run)).toBe(1);
    } catch (error) {
      await project.cleanup();
      throw error;
    }
    session = await serveInBrowser(project);
    page = await session.browser.newPage();
    assets = await api<AssetSummary[]>('/api/assets');
  }, 180_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  it('overview: every asset with its state, the KPIs, the held-back mart and the recent runs', async () => {
    await page.goto(`${session.url}/#/`);
    const rows = page.locator('table[data-testid="assets"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(assets.length);
    expect(assets.length).toBeGreaterThan(10);
    const kpis = await api<KpisBody>('/api/kpis?days=30');
    const errorRate = page.locator('[data-kpi="errorRate"] .kpi-value');
    await errorRate.waitFor();
    expect(Number(await errorRate.getAttribute('data-value'))).toBeCloseTo(kpis.errorRate.value!, 6);
    expect(kpis.errorRate.finishedRuns).toBe(1);
    expect(Number(await page.locator('[data-kpi="qualityScore"] .kpi-value').getAttribute('data-value'))).toBeCloseTo(kpis.qualityScore.value!, 6);
    expect(await page.locator('[data-testid="failing-assets"] tr[data-asset="product_performance"]').textContent()).toContain('blocked');
    const runs = await api<RunSummary[]>('/api/runs?limit=20');
    expect(await page.locator(`main a[href="#/runs/${runs[0]!.runId}"]`).count()).toBeGreaterThan(0);
    // The demo's run held one mart back but published the rest: a delivery.
    expect(kpis.deliveryTime.samples).toBe(1);
    expect(Number(await page.locator('[data-kpi="deliveryTime"] .kpi-value').getAttribute('data-value'))).toBeCloseTo(kpis.deliveryTime.value!, 6);
    await shot('overview');
  });

  it('graph: every asset as a node, clicked through to its page', async () => {
    await page.goto(`${session.url}/#/graph`);
    await page.locator('svg.graph .graph-node').first().waitFor();
    expect(await page.locator('svg.graph .graph-node').count()).toBe(assets.length);
    expect(await page.locator('.graph-node[data-asset="product_performance"]').getAttribute('class')).toContain('state-blocked');
    await shot('graph');
    await page.locator('.graph-node[data-asset="daily_revenue"]').click();
    await page.waitForURL(/#\/assets\/daily_revenue$/);
    await page.getByTestId('asset-name').filter({ hasText: 'daily_revenue' }).waitFor();
  });

  it('asset page: columns, column lineage, a data preview and the row-count control chart as recorded', async () => {
    await page.goto(`${session.url}/#/assets/daily_revenue`);
    const detail = await api<{ columns: Array<{ name: string }>; owner: string | null; tags: string[] }>('/api/assets/daily_revenue');
    expect(detail.owner).not.toBeNull();
    const owner = page.getByTestId('asset-owner');
    await owner.waitFor();
    expect(await owner.textContent()).toContain(`owner: ${detail.owner}`);
    for (const tag of detail.tags) expect(await owner.locator('a.tag').allTextContents()).toContain(tag);
    const columns = page.locator('table[data-testid="columns"] tr');
    await columns.first().waitFor();
    expect(await columns.count()).toBe(detail.columns.length);
    expect(detail.columns.map((column) => column.name)).toContain('revenue');
    await page.locator('table[data-testid="column-lineage"] tr[data-column="revenue"]').waitFor();
    expect(await page.locator('table[data-testid="column-lineage"] tr[data-column="revenue"]').textContent()).toMatch(/stg_orders|stg_payments|amount/);
    await page.locator('table[data-testid="data-preview"] tbody tr').first().waitFor();
    expect(await page.locator('table[data-testid="data-preview"] tbody tr').count()).toBeGreaterThan(0);

    const chart = await api<SpcChartBody>('/api/assets/daily_revenue/spc/row_count');
    // The build measured it once: one point, drawn, while the chart is still learning its limits.
    expect(chart.points.length).toBe(1);
    expect(chart.status).toBe('learning');
    const drawn = page.locator('[data-testid="metric"][data-metric="row_count"] svg[data-testid="control-chart"]');
    await drawn.waitFor();
    expect(await drawn.locator('circle').count()).toBe(chart.points.length);
    await shot('asset');
  });

  it('feedback: a report on the held-back mart is tracked on its page and on the overview', async () => {
    await page.goto(`${session.url}/#/assets/product_performance`);
    // A hash change: daily_revenue's form stays on screen until this page has loaded.
    await page.getByTestId('asset-name').filter({ hasText: 'product_performance' }).waitFor();
    const form = page.getByTestId('feedback-form');
    await form.waitFor();
    await form.locator('button[data-kind="report"]').click();
    await form.getByLabel('feedback text').fill('product 17 appears twice in this table');
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-testid="feedback"] li[data-kind="report"]').waitFor();
    await page.goto(`${session.url}/#/`);
    const tracked = page.locator('[data-testid="open-reports"] tr[data-asset="product_performance"]');
    await tracked.waitFor();
    expect(await tracked.textContent()).toContain('product 17 appears twice');
    await shot('overview-report');
  });

  it('catalog: a search over columns finds the assets that hold them', async () => {
    await page.goto(`${session.url}/#/catalog`);
    await page.getByTestId('catalog-search').fill('email');
    const hits = page.locator('[data-testid="catalog-hits"] > li');
    await hits.first().waitFor();
    const found = await hits.evaluateAll((items) => items.map((item) => item.getAttribute('data-asset')));
    expect(found).toContain('raw_customers');
    expect(found).toContain('stg_customers');
    await shot('catalog');
  });

  it('runs: the list and a run page with every step of the recorded run', async () => {
    const runs = await api<RunSummary[]>('/api/runs?limit=20');
    await page.goto(`${session.url}/#/runs`);
    await page.locator(`a[href="#/runs/${runs[0]!.runId}"]`).first().waitFor();
    const first = runs[runs.length - 1]!;
    const detail = await api<RunDetail>(`/api/runs/${first.runId}`);
    await page.goto(`${session.url}/#/runs/${first.runId}`);
    await page.locator('[data-step]').first().waitFor();
    expect(await page.locator('[data-step]').count()).toBe(detail.steps.length);
    expect(await page.locator('[data-step="product_performance"]').getAttribute('data-status')).toBe('blocked');
    await shot('run');
  });

  it('a run started from the UI shows its progress live and ends without a reload', async () => {
    await page.goto(`${session.url}/#/runs`);
    await page.evaluate('window.weirMark = 42');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/#\/runs\/.+/);
    const runId = decodeURIComponent(page.url().split('#/runs/')[1]!);
    await page.locator('[data-event="run_started"]').waitFor();
    await page.locator('[data-testid="run-status"]', { hasText: /succeeded|failed/ }).waitFor({ timeout: 60_000 });
    expect(await page.evaluate('window.weirMark === 42')).toBe(true);
    const detail = await api<RunDetail>(`/api/runs/${runId}`);
    expect(await page.getByTestId('run-status').textContent()).toBe(detail.status);
    expect(await page.locator('[data-step]').count()).toBe(detail.steps.length);
    expect(await page.getByTestId('run-log').textContent()).toContain(`run finished: ${detail.status}`);
    await shot('run-live');
  });
});
