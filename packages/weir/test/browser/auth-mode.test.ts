/**
 * The web app against `weir serve --auth` in Chromium: with no token the page asks for one (a wrong
 * one is refused with the server's message); a viewer token signs in, sees the project's data and
 * "signed in as", but the Run button is disabled with a tooltip, and a Run forced past it gets the
 * server's 403 message on the page (a direct POST gets 403 too); sign-out forgets the token; an
 * editor token starts a run and follows it live (its events read over fetch with the token).
 * Screenshots in test-results/web-app/auth-*.png.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shopFiles, SHOP_ASSETS } from '../e2e/shop-fixture.js';
import { SHOTS, browserTestsEnabled, explainFailure, signInWithToken, startAuthBrowserSession, type BrowserSession, type RoleTokens } from './browser-session.js';

describe.skipIf(!browserTestsEnabled)('the web app in auth mode', () => {
  let session: BrowserSession;
  let page: Page;
  let tokens: RoleTokens = { viewer: '', editor: '' };

  beforeAll(async () => {
    ({ session, tokens } = await startAuthBrowserSession(shopFiles(), { tokenPrefix: 'ui' }));
    page = await session.browser.newPage();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  const signIn = (token: string) => signInWithToken(page, token);
  const storedToken = () => page.evaluate("localStorage.getItem('weir:token')");

  it('asks for a token, and refuses a wrong one with the server\'s message', async () => {
    await page.goto(`${session.url}/#/`);
    await page.getByTestId('token-input').waitFor();
    expect(await page.locator('table[data-testid="assets"]').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'auth-token-form.png') });
    await signIn('not-a-token');
    expect(await page.getByTestId('token-error').textContent()).toContain('the token is unknown or revoked');
    expect(await storedToken()).toBeNull();
  });

  it('signs a viewer in: data shows, the Run button is disabled with a tooltip, and a forced run gets 403', async () => {
    await signIn(tokens.viewer);
    await page.locator('table[data-testid="assets"] tbody tr').nth(SHOP_ASSETS.length - 1).waitFor();
    expect(await page.getByTestId('signed-in').textContent()).toContain('signed in as ui-viewer (viewer)');
    expect(await storedToken()).toBe(tokens.viewer);
    await page.screenshot({ path: join(SHOTS, 'auth-viewer-overview.png') });

    // The graph's layout and the states come through the token too.
    await page.getByRole('link', { name: 'Graph' }).click();
    await page.locator('svg.graph .graph-node').nth(SHOP_ASSETS.length - 1).waitFor();

    await page.getByRole('link', { name: 'Runs' }).click();
    const run = page.getByTestId('run-start');
    await run.waitFor();
    expect(await run.isDisabled()).toBe(true);
    expect(await run.getAttribute('title')).toBe('needs an editor token: you are signed in as ui-viewer, a viewer');
    await page.screenshot({ path: join(SHOTS, 'auth-viewer-runs.png') });

    // Past the disabled button, the server still refuses, and the page says what it said.
    const forced = (await page.evaluate(
      `fetch('/api/runs', { method: 'POST', headers: { authorization: 'Bearer ${tokens.viewer}', 'content-type': 'application/json' }, body: '{}' }).then(async (r) => [r.status, await r.text()])`,
    )) as [number, string];
    expect(forced[0]).toBe(403);
    expect(forced[1]).toContain('FORBIDDEN');
    await page.evaluate("document.querySelector('[data-testid=\"run-start\"]').disabled = false");
    await run.click();
    expect(await page.getByTestId('run-start-error').textContent()).toContain('the token "ui-viewer" is a viewer; this call needs an editor token');
    await page.screenshot({ path: join(SHOTS, 'auth-viewer-forbidden.png') });
  });

  it('signs out: the token is forgotten and the form is back', async () => {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('token-input').waitFor();
    expect(await storedToken()).toBeNull();
    expect(await page.getByTestId('signed-in').count()).toBe(0);
  });

  it('lets an editor start a run and follow it live', async () => {
    await signIn(tokens.editor);
    expect(await page.getByTestId('signed-in').textContent()).toContain('signed in as ui-editor (editor)');
    const run = page.getByTestId('run-start');
    await run.waitFor();
    expect(await run.isDisabled()).toBe(false);
    expect(await run.getAttribute('title')).toBeNull();
    await page.getByTestId('run-selection').fill('calendar');
    await run.click();
    await page.waitForURL(/#\/runs\/.+/);
    await page.locator('[data-testid="run-status"]', { hasText: 'succeeded' }).waitFor();
    // The log comes from the run's server-sent events, read over fetch with the token.
    await page.locator('[data-event="run_finished"]').waitFor();
    expect(await page.getByTestId('run-log').textContent()).toContain('run finished: succeeded');
    await page.screenshot({ path: join(SHOTS, 'auth-editor-run.png'), fullPage: true });
  });
});
