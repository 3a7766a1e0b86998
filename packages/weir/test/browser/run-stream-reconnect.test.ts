/**
 * A run page whose connection to `weir serve` drops while the run is going (Chromium through a TCP
 * proxy the test cuts): the page keeps showing the run and says it lost touch; the run ends while
 * it is cut off; once the server can be reached again, the page's event stream reconnects from the
 * last event it heard (Last-Event-ID), shows every event it missed once, and the run succeeded,
 * without a reload.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, browserTestsEnabled, explainFailure, startGatedBrowserSession, type GatedBrowserSession } from './browser-session.js';
import { startCuttableProxy, type CuttableProxy } from './cuttable-proxy.js';

/** The ids of a finished run's events, read from the server directly (not through the proxy). */
async function eventIds(url: string, runId: string): Promise<number[]> {
  const text = await (await fetch(`${url}/api/runs/${runId}/events`)).text();
  return [...text.matchAll(/^id: ?(\d+)$/gm)].map((match) => Number(match[1]));
}

describe.skipIf(!browserTestsEnabled)('a run page through a dropped connection', () => {
  let session: GatedBrowserSession;
  let proxy: CuttableProxy;
  let page: Page;

  beforeAll(async () => {
    session = await startGatedBrowserSession();
    proxy = await startCuttableProxy(session.url);
    page = await session.browser.newPage();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await proxy?.close();
    await session?.close();
  });

  it('keeps the run on screen while cut off, then reconnects from the last event and shows what it missed once', async () => {
    await page.goto(`${proxy.url}/#/runs`);
    await page.getByTestId('run-selection').fill('slow_orders');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/#\/runs\/.+/);
    await page.locator('[data-step="slow_orders"][data-status="running"]').waitFor();
    await page.locator('[data-event="step_started"]').first().waitFor();
    const runId = (await page.getByTestId('run-id').textContent())!;
    await page.evaluate('window.weirMark = 42');
    const heardBefore = await page.locator('[data-event]').count();

    // The network drops; the run ends while the page cannot hear it.
    proxy.refuse(true);
    proxy.cut();
    const cutAt = proxy.requests.length;
    writeFileSync(session.gate, '');
    await expect.poll(async () => ((await (await fetch(`${session.url}/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 30_000 }).toBe('succeeded');
    await page.getByTestId('run-connection').waitFor();
    expect(await page.getByTestId('run-status').textContent()).toBe('running');
    expect(await page.locator('[data-step="slow_orders"]').getAttribute('data-status')).toBe('running');
    await page.screenshot({ path: join(SHOTS, 'run-connection-lost.png'), fullPage: true });

    // Back: the stream is opened again from the last event the page heard, and catches up.
    proxy.refuse(false);
    await page.locator('[data-testid="run-status"]', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await page.locator('[data-event="run_finished"]').waitFor();
    expect(await page.evaluate('window.weirMark === 42')).toBe(true);
    expect(await page.getByTestId('run-connection').count()).toBe(0);
    expect(await page.locator('[data-step="slow_orders"]').getAttribute('data-status')).toBe('succeeded');

    const resumed = proxy.requests.slice(cutAt).filter((head) => head.startsWith(`GET /api/runs/${runId}/events`));
    expect(resumed.length).toBeGreaterThan(0);
    const lastHeard = /^last-event-id: *(\d+)$/im.exec(resumed[0]!)?.[1];
    expect(lastHeard, resumed[0]).toBeDefined();
    const all = await eventIds(session.url, runId);
    // The page heard the events up to the cut, and asked for those after the last one of them.
    expect(all.indexOf(Number(lastHeard))).toBe(heardBefore - 1);
    const shown = await page.locator('[data-event]').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-id'))));
    expect(shown).toEqual(all);
    await page.screenshot({ path: join(SHOTS, 'run-reconnected.png'), fullPage: true });
  });
});
