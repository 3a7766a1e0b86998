/**
 * Consumer feedback in Chromium against `weir serve` on the shop project: on an asset page a
 * consumer rates trust (the average and stars follow) and reports a problem through the form; the
 * report shows on the asset page and in the overview's open reports; the owner acknowledges it,
 * then resolves it with a note, and it leaves the open list while the asset page shows it resolved.
 * With `weir serve --auth`, a viewer's report is signed with the token's name and the viewer gets no
 * buttons to move it; an editor gets them and resolves it. Screenshots: test-results/web-app/feedback-*.png.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackListBody } from '@weir/core';
import { revenueSql, shopFiles } from '../e2e/shop-fixture.js';
import { SHOTS, browserTestsEnabled, explainFailure, startBrowserSession, startAuthBrowserSession, type BrowserSession, type RoleTokens } from './browser-session.js';

const REPORT = 'Customer 11 is missing the refund of order 4.';

describe.skipIf(!browserTestsEnabled)('consumer feedback in Chromium', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    // revenue has an owner: the overview says whose report it is.
    const revenue = revenueSql().replace('description: Revenue per customer', 'description: Revenue per customer\nowner: finance-data');
    session = await startBrowserSession({ ...shopFiles(), 'models/revenue.sql': revenue }, { runCode: 0 });
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  it('rates and reports on the asset page, tracks the report on the overview until it is resolved', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.url}/#/assets/revenue`);
    const section = page.getByTestId('feedback');
    const form = section.getByTestId('feedback-form');
    await form.waitFor();
    expect(await section.getByTestId('trust').textContent()).toContain('No one has rated this asset yet.');

    // A rating: the button stays disabled until a star is picked.
    const send = form.locator('button[type="submit"]');
    expect(await send.isDisabled()).toBe(true);
    await form.locator('button[data-star="4"]').click();
    await form.getByLabel('your name').fill('ann');
    await send.click();
    await section.getByTestId('trust-average').waitFor();
    expect(await section.getByTestId('trust-average').textContent()).toBe('4.0');
    expect(await section.locator('[data-testid="trust"] .stars').getAttribute('data-value')).toBe('4');

    // A report, with a low rating beside it.
    await form.locator('button[data-kind="report"]').click();
    expect(await send.isDisabled()).toBe(true);
    await form.getByLabel('feedback text').fill(REPORT);
    await form.locator('button[data-star="2"]').click();
    await send.click();
    const report = section.locator('li[data-kind="report"]');
    await report.waitFor();
    expect(await report.locator('.feedback-text').textContent()).toBe(REPORT);
    expect(await report.getByTestId('report-status').textContent()).toBe('open');
    expect(await report.locator('.feedback-author').textContent()).toBe('ann');
    // Functions as text: the tests are type-checked without the DOM library.
    await page.waitForFunction(`document.querySelector('[data-testid="trust-average"]')?.textContent === '2.0'`);
    expect(await section.getByTestId('unresolved-reports').textContent()).toBe('1 unresolved report');
    // The form is empty again for the next one.
    expect(await form.getByLabel('feedback text').inputValue()).toBe('');
    await section.screenshot({ path: join(SHOTS, 'feedback-asset-page.png') });

    // The overview lists it among the open reports.
    await page.goto(`${session.url}/#/`);
    const panel = page.getByTestId('open-reports');
    const row = panel.locator('tr[data-asset="revenue"]');
    await row.waitFor();
    expect(await panel.locator('tbody tr').count()).toBe(1);
    expect(await row.locator('.report-text').textContent()).toBe(REPORT);
    expect(await row.getByTestId('report-status').textContent()).toBe('open');
    expect(await row.locator('.report-owner').textContent()).toBe('finance-data');
    await page.screenshot({ path: join(SHOTS, 'feedback-overview-open.png'), fullPage: true });

    // Acknowledged, it stays listed; resolved with a note, it leaves.
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForFunction(`document.querySelector('[data-testid="open-reports"] tr[data-asset="revenue"] [data-testid="report-status"]')?.textContent === 'acknowledged'`);
    await row.getByLabel('note').fill('Refunds are loaded from tomorrow on.');
    await row.getByRole('button', { name: 'Resolve' }).click();
    await panel.locator('tr[data-asset="revenue"]').waitFor({ state: 'detached' });
    expect(await panel.textContent()).toContain('No open reports');
    await page.screenshot({ path: join(SHOTS, 'feedback-overview-resolved.png'), fullPage: true });

    // What the server recorded, and the asset page showing it resolved with the note.
    const resolved = (await (await fetch(`${session.url}/api/feedback?status=resolved`)).json()) as FeedbackListBody;
    expect(resolved.items.map((item) => [item.asset, item.text, item.statusNote])).toEqual([['revenue', REPORT, 'Refunds are loaded from tomorrow on.']]);
    await page.goto(`${session.url}/#/assets/revenue`);
    const done = page.locator('[data-testid="feedback"] li[data-kind="report"]');
    await done.waitFor();
    expect(await done.getByTestId('report-status').textContent()).toBe('resolved');
    expect(await done.textContent()).toContain('Refunds are loaded from tomorrow on.');
    expect(await page.getByTestId('unresolved-reports').textContent()).toBe('0 unresolved reports');
    expect(await done.getByRole('button', { name: 'Reopen' }).count()).toBe(1);
    await page.getByTestId('feedback').screenshot({ path: join(SHOTS, 'feedback-asset-resolved.png') });
  });
});

describe.skipIf(!browserTestsEnabled)('consumer feedback in Chromium with tokens', () => {
  let session: BrowserSession;
  let tokens: RoleTokens = { viewer: '', editor: '' };

  beforeAll(async () => {
    ({ session, tokens } = await startAuthBrowserSession(shopFiles(), { tokenPrefix: 'fb' }));
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  it("signs a viewer's report with the token name, lets only the editor resolve it", async () => {
    const page = await session.browser.newPage();
    const useToken = async (token: string, hash: string) => {
      await page.goto(`${session.url}/${hash}`);
      await page.evaluate(`localStorage.setItem('weir:token', ${JSON.stringify(token)})`);
      // A reload, not a hash change: the app starts again with the token.
      await page.reload();
    };
    await useToken(tokens.viewer, '#/assets/orders');
    const form = page.getByTestId('feedback-form');
    await form.locator('.feedback-signed').waitFor();
    expect(await form.locator('.feedback-signed').textContent()).toBe('as fb-viewer');
    expect(await form.getByLabel('your name').count()).toBe(0);
    await form.locator('button[data-kind="report"]').click();
    await form.getByLabel('feedback text').fill('Order 3 shows twice.');
    await form.locator('button[type="submit"]').click();
    const report = page.locator('[data-testid="feedback"] li[data-kind="report"]');
    await report.waitFor();
    expect(await report.locator('.feedback-author').textContent()).toBe('fb-viewer');
    expect(await report.locator('.report-actions').count()).toBe(0);
    await page.getByTestId('feedback').screenshot({ path: join(SHOTS, 'feedback-viewer.png') });

    await useToken(tokens.editor, '#/');
    const row = page.locator('[data-testid="open-reports"] tr[data-asset="orders"]');
    await row.waitFor();
    expect(await row.locator('td').nth(4).textContent()).toBe('fb-viewer');
    await row.getByRole('button', { name: 'Resolve' }).click();
    await row.waitFor({ state: 'detached' });
    const resolved = await page.evaluate(
      `fetch('/api/feedback?status=resolved', { headers: { authorization: 'Bearer ' + localStorage.getItem('weir:token') } }).then((r) => r.json())`,
    );
    expect((resolved as FeedbackListBody).items.map((item) => [item.asset, item.author, item.statusBy])).toEqual([['orders', 'fb-viewer', 'fb-editor']]);
  });
});
