/**
 * The asset page's lineage, data and versions in Chromium against `weir serve` on the shop
 * project: a column-lineage edge with its kind, a column's impact across assets with links, the
 * first rows of the live version, freshness, and a rollback through the button after a second
 * build (the live version, the preview and the versions list change without a reload). With
 * `weir serve --auth`, a viewer's Roll back button is disabled with the reason and, enabled by a
 * page that believes the token is an editor's, gets the server's 403 sentence; an editor's rolls back
 * and unpins (a viewer's Unpin is disabled with the reason). Screenshots in test-results/web-app/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { revenueSql, shopFiles } from '../e2e/shop-fixture.js';
import { show } from '../e2e/weir-test-project.js';
import { SHOTS, browserTestsEnabled, explainFailure, signInWithToken, startBrowserSession, startAuthBrowserSession, type BrowserSession, type RoleTokens } from './browser-session.js';

describe.skipIf(!browserTestsEnabled)('the asset page: column lineage, data preview, rollback', () => {
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    session = await startBrowserSession(shopFiles(), { runCode: 0 });
    page = await session.browser.newPage();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  const headers = async () => (await page.locator('table[data-testid="data-preview"] thead th').allTextContents()).map((text) => text.split(' ')[0]);

  it("shows each column's upstream with its edge kind, and a column's impact downstream across assets", async () => {
    await page.goto(`${session.url}/#/assets/revenue`);
    const revenueRow = page.locator('table[data-testid="column-lineage"] tr[data-column="revenue"]');
    await revenueRow.waitFor();
    // sum(amount): computed from orders.amount; customer_id is a plain copy.
    expect(await revenueRow.locator('[data-edge="orders.amount derived"]').count()).toBe(1);
    expect(await page.locator('tr[data-column="customer_id"] [data-edge="orders.customer_id exact"]').count()).toBe(1);
    expect(await page.locator('tr[data-column="order_count"]').textContent()).toContain('no column (a constant or a count)');

    await revenueRow.getByRole('button', { name: 'Impact' }).click();
    const impact = page.getByTestId('lineage-downstream');
    await impact.waitFor();
    // The TypeScript asset declares no column lineage: each of its columns may come from revenue.
    expect(await impact.locator('li').evaluateAll((items) => items.map((item) => `${item.getAttribute('data-node')} ${item.getAttribute('data-kind')}`))).toEqual([
      'big_customers.customer_id unknown',
      'big_customers.revenue unknown',
    ]);
    expect(await page.getByTestId('lineage-upstream').locator('li[data-node="raw_orders.amount"]').textContent()).toContain('via orders.amount');
    await page.screenshot({ path: join(SHOTS, 'asset-lineage.png'), fullPage: true });

    await impact.getByRole('link', { name: 'big_customers.revenue' }).click();
    await page.getByTestId('asset-name').filter({ hasText: 'big_customers' }).waitFor();
    expect(await page.locator('table[data-testid="column-lineage"]').textContent()).toContain('revenue.*');
    expect(await page.locator('main').textContent()).toContain('Table-level lineage: big_customers reads revenue');
  });

  it('shows the first rows of the live version and how fresh it is', async () => {
    await page.goto(`${session.url}/#/assets/orders`);
    // The previous test left big_customers open: a hash change keeps its preview table on screen
    // until the orders page has loaded, so wait for the orders page before reading the table.
    await page.getByTestId('asset-name').filter({ hasText: /^orders(\s|$)/ }).waitFor();
    const preview = page.locator('table[data-testid="data-preview"]');
    await expect.poll(headers).toEqual(['order_id', 'customer_id', 'amount', 'status']);
    const rows = await preview.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.sort((left, right) => Number(left[0]) - Number(right[0]))).toEqual([
      ['1', '10', '5.5', 'placed'],
      ['2', '11', '7.25', 'shipped'],
      ['3', '10', '1', 'placed'],
      ['4', '11', '20', 'returned'],
    ]);
    expect(await page.getByTestId('preview-caption').textContent()).toContain('all 4 rows');
    expect(await page.getByTestId('freshness').textContent()).toMatch(/published .* ago/);
    await page.screenshot({ path: join(SHOTS, 'asset-preview.png'), fullPage: true });
  });

  it('rolls back through the button after a second build: the live version, the rows and the list change', async () => {
    // A second version of revenue, built by the server (weir run hands its work to weir serve).
    session.project.write({ 'models/revenue.sql': revenueSql(', 7 as marker') });
    const second = await session.project.weir(['run', '--select', 'revenue']);
    expect(second.code, show(second)).toBe(0);

    await page.goto(`${session.url}/#/assets/revenue`);
    await page.locator('table[data-testid="data-preview"]').waitFor();
    await expect.poll(headers).toContain('marker');
    const versions = page.locator('table[data-testid="versions"] tbody tr');
    await expect.poll(() => versions.count()).toBe(2);
    const newest = (await versions.nth(0).getAttribute('data-version'))!;
    const older = (await versions.nth(1).getAttribute('data-version'))!;
    expect(await page.getByTestId('live-version').textContent()).toBe(newest);
    expect(await versions.nth(0).getAttribute('data-live')).toBe('true');

    await versions.nth(1).getByRole('button', { name: 'Roll back to this' }).click();
    // Nothing happens before the confirmation.
    expect(await page.locator('.confirm').textContent()).toContain(`Serve ${older} instead of ${newest}?`);
    await page.locator('table[data-testid="versions"]').screenshot({ path: join(SHOTS, 'asset-rollback-confirm.png') });
    expect(await page.getByTestId('live-version').textContent()).toBe(newest);
    await page.getByRole('button', { name: 'Confirm rollback' }).click();

    await page.getByTestId('live-version').filter({ hasText: older }).waitFor();
    await page.getByTestId('preview-caption').filter({ hasText: `of version ${older}` }).waitFor();
    await expect.poll(headers).toEqual(['customer_id', 'revenue', 'order_count']);
    expect(await page.locator(`table[data-testid="versions"] tr[data-version="${older}"]`).getAttribute('data-live')).toBe('true');
    // Each part redraws when its own request answers: wait for it rather than read it at once.
    await page.getByTestId('rollback-done').filter({ hasText: `now serves ${older} (was ${newest})` }).waitFor();
    await page.getByTestId('freshness').filter({ hasText: 'pinned by a rollback' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'asset-rollback-done.png'), fullPage: true });

    // The server says the same.
    const detail = (await (await fetch(`${session.url}/api/assets/revenue`)).json()) as { version: string; pinned: boolean };
    expect(detail).toMatchObject({ version: older, pinned: true });

    // Unpin: the next run may publish again; the version served stays the same until then.
    await page.getByTestId('unpin').click();
    await page.getByTestId('pinned').waitFor({ state: 'detached' });
    expect(await page.getByTestId('live-version').textContent()).toBe(older);
    expect((await (await fetch(`${session.url}/api/assets/revenue`)).json()) as { version: string; pinned: boolean }).toMatchObject({ version: older, pinned: false });
  }, 120_000);
});

describe.skipIf(!browserTestsEnabled)('rollback on the asset page in auth mode', () => {
  let session: BrowserSession;
  let page: Page;
  let tokens: RoleTokens = { viewer: '', editor: '' };

  beforeAll(async () => {
    ({ session, tokens } = await startAuthBrowserSession(shopFiles(), {
      tokenPrefix: 'ui',
      prepare: async (project) => {
        for (const extra of ['', ', 7 as marker']) {
          project.write({ 'models/revenue.sql': revenueSql(extra) });
          const run = await project.weir(['run']);
          expect(run.code, show(run)).toBe(0);
        }
      },
    }));
    page = await session.browser.newPage();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  const signIn = (token: string) => signInWithToken(page, token);

  it("disables a viewer's Roll back with the reason, and shows the server's 403 when the page thought otherwise", async () => {
    await page.goto(`${session.url}/#/assets/revenue`);
    await signIn(tokens.viewer);
    const button = page.getByTestId('rollback');
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('title')).toBe('needs an editor token: you are signed in as ui-viewer, a viewer');
    const live = await page.getByTestId('live-version').textContent();

    await page.screenshot({ path: join(SHOTS, 'asset-rollback-viewer.png') });

    // Past the disabled button (the page told a role the token no longer has), the server still refuses, and the page says what it said.
    await page.route('**/api/me', (route) => route.fulfill({ json: { token: 'ui-viewer', role: 'editor' } }));
    await page.reload();
    await button.waitFor();
    expect(await button.isDisabled()).toBe(false);
    await button.click();
    await page.getByRole('button', { name: 'Confirm rollback' }).click();
    const refused = page.getByTestId('rollback-error');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('Rollback refused: the token "ui-viewer" is a viewer; this call needs an editor token');
    expect(await page.getByTestId('live-version').textContent()).toBe(live);
    await page.screenshot({ path: join(SHOTS, 'asset-rollback-viewer-403.png') });
  });

  it('lets an editor roll back', async () => {
    await page.unroute('**/api/me');
    await page.getByTestId('sign-out').click();
    await signIn(tokens.editor);
    const button = page.getByTestId('rollback');
    await button.waitFor();
    expect(await button.isDisabled()).toBe(false);
    const older = await page.locator('table[data-testid="versions"] tbody tr').nth(1).getAttribute('data-version');
    await button.click();
    await page.getByRole('button', { name: 'Confirm rollback' }).click();
    await page.getByTestId('live-version').filter({ hasText: older! }).waitFor();
    expect(await page.getByTestId('rollback-done').textContent()).toContain(`now serves ${older}`);
  });

  it("lets an editor unpin; a viewer's Unpin is disabled with the reason", async () => {
    const unpin = page.getByTestId('unpin');
    await unpin.waitFor();
    await page.getByTestId('sign-out').click();
    await signIn(tokens.viewer);
    await unpin.waitFor();
    expect(await unpin.isDisabled()).toBe(true);
    expect(await unpin.getAttribute('title')).toBe('needs an editor token: you are signed in as ui-viewer, a viewer');
    await page.getByTestId('sign-out').click();
    await signIn(tokens.editor);
    await unpin.click();
    await page.getByTestId('pinned').waitFor({ state: 'detached' });
    await page.screenshot({ path: join(SHOTS, 'asset-unpinned.png') });
  });
});
