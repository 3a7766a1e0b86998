/**
 * The asset graph page (`#/graph`) in Chromium against `weir serve` on the shop project built by
 * the real `weir run` (plus `big_orders`, blocked by a failing check): every asset is a node with
 * its state's colour, edges follow `upstream`, the layout is the server's (`/api/graph`; when that
 * route fails the page shows its error and draws nothing), the search highlights and centres
 * `orders`, the zoom buttons zoom, and a click on a node opens the asset's page. Screenshots in
 * test-results/web-app/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AssetSummary, GraphBody } from '@weir/core';
import { shopFiles } from '../e2e/shop-fixture.js';
import { browserTestsEnabled, explainFailure, SHOTS, startBrowserSession, type BrowserSession } from './browser-session.js';

describe.skipIf(!browserTestsEnabled)('the asset graph in Chromium', () => {
  let session: BrowserSession;
  let assets: AssetSummary[];
  let page: Page;

  beforeAll(async () => {
    session = await startBrowserSession(
      {
        ...shopFiles(),
        'models/big_orders.sql': '/*---\nchecks:\n  - expression: { sql: "amount > 100", name: all_big }\n---*/\nselect * from orders\n',
      },
      { runCode: 1 },
    );
    assets = (await (await fetch(`${session.url}/api/assets`)).json()) as AssetSummary[];
    page = await session.browser.newPage();
    await page.goto(`${session.url}/#/graph`);
    await page.locator('svg.graph .graph-node').first().waitFor();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  it('draws every asset as a node coloured by its state, and an edge per dependency', async () => {
    // The fixture must hold more than one state, or the colours would prove nothing.
    expect(new Set(assets.map((asset) => asset.state))).toEqual(new Set(['published', 'blocked']));
    expect(await page.locator('svg.graph .graph-node').count()).toBe(assets.length);
    for (const asset of assets) {
      const node = page.locator(`svg.graph .graph-node[data-asset="${asset.name}"]`);
      expect(await node.getAttribute('class'), asset.name).toContain(`state-${asset.state}`);
      expect(await node.textContent()).toContain(asset.name);
    }
    // Strings, not functions: the tests are compiled without the DOM library.
    const fill = (name: string) => page.evaluate(`getComputedStyle(document.querySelector('.graph-node[data-asset="${name}"] rect')).fill`);
    expect(await fill('orders')).toBe('rgb(218, 245, 227)');
    expect(await fill('big_orders')).toBe('rgb(253, 226, 225)');

    const dependencies = assets.flatMap((asset) => asset.upstream.filter((upstream) => assets.some((other) => other.name === upstream)));
    expect(dependencies.length).toBeGreaterThan(0);
    expect(await page.locator('svg.graph .graph-edges path').count()).toBe(dependencies.length);
    // Left to right: every asset sits right of what it reads.
    const left = async (name: string) => (await page.locator(`.graph-node[data-asset="${name}"]`).boundingBox())!.x;
    expect(await left('orders')).toBeGreaterThan(await left('raw_orders'));
    expect(await left('big_orders')).toBeGreaterThan(await left('orders'));
    expect(await page.getByTestId('graph-count').textContent()).toBe(`${assets.length} assets`);
    await page.screenshot({ path: join(SHOTS, 'graph.png') });
  });

  it("draws the server's layout, and shows the route's error without drawing when /api/graph fails", async () => {
    const position = () => page.locator('.graph-node[data-asset="big_orders"]').getAttribute('transform');
    const graph = (await (await fetch(`${session.url}/api/graph`)).json()) as GraphBody;
    const served = graph.nodes.find((node) => node.name === 'big_orders')!;
    expect(await page.evaluate("performance.getEntriesByName('weir:graph-layout')[0]?.detail")).toEqual({ source: 'server' });
    expect(await position()).toBe(`translate(${served.x},${served.y})`);

    // The body a failing layout gets from the server (create-server-app.ts: `{ error: errorBody(error) }`, 500 for INTERNAL).
    const message = 'the graph layout failed: planted by the test';
    await page.route('**/api/graph', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'INTERNAL', message } }) }));
    try {
      const requested: string[] = [];
      const onRequest = (request: { url(): string }) => requested.push(request.url());
      page.on('request', onRequest);
      const assetsAnswered = page.waitForResponse((response) => response.url().endsWith('/api/assets'));
      await page.reload();
      expect((await assetsAnswered).ok()).toBe(true);
      await page.getByTestId('graph-error').waitFor();
      page.off('request', onRequest);
      expect(await page.getByTestId('graph-error').textContent()).toBe(message);
      // The states came, the layout did not: nothing is laid out in the browser, nothing is drawn.
      expect(requested.some((url) => url.endsWith('/api/graph'))).toBe(true);
      expect(requested.filter((url) => /elk/i.test(url))).toEqual([]);
      expect(await page.evaluate("performance.getEntriesByName('weir:graph-layout').length")).toBe(0);
      expect(await page.locator('svg.graph .graph-node').count()).toBe(0);
      expect(await page.getByTestId('graph').isVisible()).toBe(false);
      expect(await page.getByTestId('graph-count').count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, 'graph-error.png') });
    } finally {
      await page.unroute('**/api/graph');
    }
    await page.reload();
    await page.locator('svg.graph .graph-node').first().waitFor();
    expect(await position()).toBe(`translate(${served.x},${served.y})`);
  });

  it('zooms with the buttons and the wheel', async () => {
    const scale = async () => Number(await page.getByTestId('graph').getAttribute('data-scale'));
    const before = await scale();
    await page.getByTestId('zoom-out').click();
    expect(await scale()).toBeLessThan(before);
    await page.getByTestId('zoom-in').click();
    await page.getByTestId('zoom-in').click();
    expect(await scale()).toBeGreaterThan(before);
    const box = (await page.getByTestId('graph').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const beforeWheel = await scale();
    await page.mouse.wheel(0, -200);
    await expect.poll(scale).toBeGreaterThan(beforeWheel);
    await page.getByTestId('zoom-fit').click();
    expect(await scale()).toBe(before);
  });

  it('finds nothing for a name that is no asset, and highlights and centres orders', async () => {
    const search = page.getByTestId('graph-search');
    await search.fill('no_such_asset');
    expect(await page.getByTestId('graph-matches').textContent()).toBe('0 matches');
    expect(await page.locator('.graph-node.match').count()).toBe(0);

    await search.fill('orders');
    const matched = await page.locator('.graph-node.match').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-asset')));
    expect(matched.sort()).toEqual(assets.map((asset) => asset.name).filter((name) => name.includes('orders')).sort());
    expect(matched).not.toContain('revenue');
    const graph = (await page.getByTestId('graph').boundingBox())!;
    const orders = (await page.locator('.graph-node[data-asset="orders"]').boundingBox())!;
    // The exact name is centred, not big_orders or raw_orders.
    expect(Math.abs(orders.x + orders.width / 2 - (graph.x + graph.width / 2))).toBeLessThan(2);
    expect(Math.abs(orders.y + orders.height / 2 - (graph.y + graph.height / 2))).toBeLessThan(2);
    await page.screenshot({ path: join(SHOTS, 'graph-search-orders.png') });
  });

  it('drags to pan without opening an asset, and opens the asset page on a click', async () => {
    const orders = page.locator('.graph-node[data-asset="orders"]');
    const start = (await orders.boundingBox())!;
    await page.mouse.move(start.x + 10, start.y + 10);
    await page.mouse.down();
    await page.mouse.move(start.x + 90, start.y + 50, { steps: 5 });
    await page.mouse.up();
    const moved = (await orders.boundingBox())!;
    expect(moved.x - start.x).toBeCloseTo(80, 0);
    expect(page.url()).toMatch(/#\/graph$/);

    await orders.click();
    await page.getByTestId('asset-name').waitFor();
    expect(page.url()).toMatch(/#\/assets\/orders$/);
    expect(await page.getByTestId('asset-name').textContent()).toContain('orders');
  });
});
