/**
 * The catalog in Chromium: the served app's `#/catalog` searches as the user types (matched fields
 * highlighted, the query in the address so it can be linked) and a result opens the asset's page;
 * the site `weir docs` exports opens from file://, searches in the page with no server, and its
 * links lead to asset pages. The shop project, built by the real `weir run`. Screenshots in
 * test-results/web-app/.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shopFiles } from '../e2e/shop-fixture.js';
import { show } from '../e2e/weir-test-project.js';
import { browserTestsEnabled, explainFailure, SHOTS, startBrowserSession, type BrowserSession } from './browser-session.js';

describe.skipIf(!browserTestsEnabled)('the catalog in Chromium', () => {
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    session = await startBrowserSession(
      {
        ...shopFiles(),
        'models/orders.sql': `/*---
description: One row per order
owner: sales-ops
tags: [core]
columns:
  customer_id: Who placed the order; joins to the CRM
---*/
select order_id, customer_id, amount, status
from raw_orders
`,
      },
      { runCode: 0 },
    );
    page = await session.browser.newPage();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  /** Asset names of the listed results, in order. */
  const listed = (selector: string) => page.locator(`${selector} > li`).evaluateAll((items) => items.map((item) => item.getAttribute('data-asset')));

  it('lists every asset, then searches as one types, highlighting what matched', async () => {
    await page.goto(`${session.url}/#/catalog`);
    await page.getByTestId('catalog-all').locator('li').first().waitFor();
    expect((await listed('[data-testid="catalog-all"]')).sort()).toEqual(['big_customers', 'calendar', 'orders', 'raw_orders', 'revenue', 'status_counts']);

    await page.getByTestId('catalog-search').fill('cust');
    await page.getByTestId('catalog-count').getByText('4 assets match').waitFor();
    expect(await listed('[data-testid="catalog-hits"]')).toEqual(['big_customers', 'orders', 'revenue', 'raw_orders']);
    // The query is in the address, for a link.
    expect(new URL(page.url()).hash).toBe('#/catalog?q=cust');
    const big = page.locator('.catalog-hit[data-asset="big_customers"]');
    expect(await big.locator('.catalog-hit-name mark').allTextContents()).toEqual(['cust']);
    expect(await big.locator('.catalog-description mark').allTextContents()).toEqual(['Cust']);
    const orders = page.locator('.catalog-hit[data-asset="orders"]');
    expect(await orders.getByTestId('matched-columns').textContent()).toBe('column customer_id');
    expect(await orders.locator('mark').allTextContents()).toEqual(['cust']);
    await page.screenshot({ path: join(SHOTS, 'catalog-search.png') });

    await page.getByTestId('catalog-search').fill('crm');
    await page.getByTestId('catalog-count').getByText('1 asset matches').waitFor();
    expect(await listed('[data-testid="catalog-hits"]')).toEqual(['orders']);
    expect(await page.locator('.catalog-hit[data-asset="orders"] mark').allTextContents()).toEqual(['CRM']);

    await page.getByTestId('catalog-search').fill('zebra');
    await page.getByTestId('catalog-count').getByText('No asset matches "zebra".').waitFor();
    expect(await listed('[data-testid="catalog-hits"]')).toEqual([]);
  });

  it('opens a linked search, and a result opens the asset page', async () => {
    await page.goto(`${session.url}/#/catalog?q=${encodeURIComponent('tag:finance')}`);
    await page.getByTestId('catalog-count').getByText('1 asset matches').waitFor();
    expect(await page.getByTestId('catalog-search').inputValue()).toBe('tag:finance');
    expect(await listed('[data-testid="catalog-hits"]')).toEqual(['revenue']);
    await page.locator('.catalog-hit[data-asset="revenue"] a.catalog-hit-name').click();
    await page.waitForURL(/#\/assets\/revenue$/);
    await page.getByTestId('asset-name').getByText('revenue').waitFor();
    expect(await page.getByTestId('asset-name').textContent()).toMatch(/^revenue /);
    await page.screenshot({ path: join(SHOTS, 'catalog-asset.png') });
  });

  it('the exported docs open from file://, search without a server, and link to asset pages', async () => {
    // weir serve holds the warehouse: the export says so and uses the declared columns.
    const docs = await session.project.weir(['docs', '--out', 'site']);
    expect(docs.code, show(docs)).toBe(0);
    expect(docs.stderr).toContain('the warehouse is held by weir serve');
    const index = pathToFileURL(join(session.project.root, 'site', 'index.html')).href;

    await page.goto(index);
    expect(await page.locator('#all tbody tr').count()).toBe(6);
    await page.locator('#search').fill('customer_id');
    await page.locator('#count').getByText('4 assets match').waitFor();
    expect(await listed('#hits')).toEqual(['orders', 'revenue', 'raw_orders', 'big_customers']);
    expect(await page.locator('#all').isHidden()).toBe(true);
    expect(await page.locator('#hits li[data-asset="orders"] mark').allTextContents()).toEqual(['customer_id']);
    expect(new URL(page.url()).hash).toBe('#q=customer_id');
    await page.screenshot({ path: join(SHOTS, 'docs-index.png') });

    await page.locator('#hits li[data-asset="revenue"] a.name').click();
    await page.waitForURL(/\/site\/assets\/revenue\.html$/);
    expect(await page.locator('h1').textContent()).toBe('revenue');
    const amountEdge = page.locator('tr[data-column="revenue"] li[data-from="orders.amount"]');
    expect(await amountEdge.getAttribute('data-kind')).toBe('derived');
    await page.screenshot({ path: join(SHOTS, 'docs-asset.png'), fullPage: true });

    // Along a lineage edge to the upstream column, then back to the catalog with a linked search.
    await amountEdge.locator('a').click();
    await page.waitForURL(/\/site\/assets\/orders\.html#column-amount$/);
    expect(await page.locator('h1').textContent()).toBe('orders');
    await page.goto(`${index}#q=${encodeURIComponent('owner:sales')}`);
    await page.locator('#count').getByText('1 asset matches').waitFor();
    expect(await listed('#hits')).toEqual(['orders']);
    expect(await page.locator('#search').inputValue()).toBe('owner:sales');
  });
});
