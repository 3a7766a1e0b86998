/**
 * The schedules and backfills pages in Chromium against `weir serve`: the schedule's next ticks in
 * its time zone, the failing TypeScript sensor's error at its file:line in red, Pause and Resume
 * through the buttons (the CLI sees the same state), and a backfill made with `weir backfill`
 * (handed to the server) listed by the open page without a reload and opened on its page with
 * every partition done. With `--auth`, a
 * viewer sees the page with Pause disabled (tooltip), and the server refuses its pause (403).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { show } from '../e2e/weir-test-project.js';
import { FAILING_SENSOR_LINE, orchestrationFiles } from '../api/orchestration-fixture.js';
import { SHOTS, browserTestsEnabled, explainFailure, signInWithToken, startBrowserSession, startAuthBrowserSession, type BrowserSession, type RoleTokens } from './browser-session.js';

describe.skipIf(!browserTestsEnabled)('the schedules and backfills pages in Chromium', () => {
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    session = await startBrowserSession(orchestrationFiles(), { runCode: 0 });
    // The custom sensor throws at every evaluation; the page shows the failure once one is recorded.
    await session.server.waitForOutput(/sensor:export_ready: evaluation failed/, 60_000);
    page = await session.browser.newPage();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  const sensorState = () => page.locator('[data-trigger="export_ready"] [data-testid="trigger-state"]').textContent();

  it("shows the schedule's next ticks in Berlin time and the failing sensor's error at its file and line", async () => {
    await page.goto(`${session.url}/#/schedules`);
    const nightly = page.locator('[data-trigger="nightly"]');
    await nightly.waitFor();
    const ticks = await nightly.getByTestId('next-ticks').textContent();
    expect(ticks).toMatch(/\d{4}-\d\d-\d\d 02:00 \+0[12]:00 \(\d{4}-\d\d-\d\d 0[01]:00 UTC\)/);
    expect(await nightly.getByTestId('trigger-state').textContent()).toBe('active');
    const failure = page.locator('[data-failure="export_ready"]');
    await failure.waitFor();
    const text = await failure.textContent();
    expect(text).toContain('threw Error: the export API answered 503');
    expect(text).toContain(`sensors/export_ready.ts:${FAILING_SENSOR_LINE}`);
    // In red: the .error colour. (A string, not a function: the tests are type-checked without the DOM library.)
    expect(await page.evaluate(`getComputedStyle(document.querySelector('[data-failure="export_ready"] .error')).color`)).toBe('rgb(155, 28, 28)');
    expect(await sensorState()).toBe('failing');
    expect(await page.locator('[data-trigger="landing"]').textContent()).toContain('file');
    await page.screenshot({ path: join(SHOTS, 'schedules-failing-sensor.png'), fullPage: true });
  });

  it('pauses and resumes the sensor with its buttons, and the CLI sees the same state', async () => {
    await page.getByTestId('toggle-export_ready').click();
    await page.locator('[data-testid="toggle-export_ready"]', { hasText: 'Resume' }).waitFor();
    expect(await sensorState()).toBe('paused');
    const listed = await session.project.weir(['schedules', 'ls', '--json']);
    expect(listed.code, show(listed)).toBe(0);
    expect((JSON.parse(listed.stdout) as { sensors: Array<{ name: string; paused: boolean }> }).sensors.find((sensor) => sensor.name === 'export_ready')?.paused).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'schedules-paused.png'), fullPage: true });

    await page.getByTestId('toggle-export_ready').click();
    await page.locator('[data-testid="toggle-export_ready"]', { hasText: 'Pause' }).waitFor();
    expect(await sensorState()).not.toBe('paused');
    const again = await session.project.weir(['schedules', 'ls', '--json']);
    expect((JSON.parse(again.stdout) as { sensors: Array<{ name: string; paused: boolean }> }).sensors.find((sensor) => sensor.name === 'export_ready')?.paused).toBe(false);
  });

  it('lists a backfill made with weir backfill while the list is open, without a reload, and opens its page with every partition done', async () => {
    await page.goto(`${session.url}/#/backfills`);
    await page.locator('main h2', { hasText: 'Backfills' }).waitFor();
    await page.evaluate('window.weirMark = 42');
    const backfill = await session.project.weir(['backfill', 'daily_revenue', '--from', '2026-01-01', '--to', '2026-01-03', '--rebuild']);
    expect(backfill.code, show(backfill)).toBe(0);
    expect(backfill.stdout).toContain('handed to weir serve');
    const id = /backfill (bf-[\w-]+)/.exec(backfill.stdout)![1]!;

    // The list refreshes itself: the new backfill appears in the same document, and its status
    // moves on to succeeded (a refresh may have caught it running).
    const row = page.locator(`[data-backfill="${id}"]`);
    await row.filter({ hasText: 'succeeded' }).waitFor();
    expect(await page.evaluate('window.weirMark === 42')).toBe(true);
    expect(await row.getByTestId('backfill-counts').textContent()).toBe('3/3 done');
    await page.screenshot({ path: join(SHOTS, 'backfills.png'), fullPage: true });

    await row.getByRole('link', { name: id }).click();
    await page.waitForURL(/#\/backfills\/bf-/);
    await page.getByTestId('partition-grid').waitFor();
    expect(await page.getByTestId('backfill-id').textContent()).toBe(id);
    expect(await page.getByTestId('backfill-status').textContent()).toBe('succeeded');
    const cells = page.locator('[data-asset="daily_revenue"][data-partition]');
    expect(await cells.count()).toBe(3);
    for (const day of ['2026-01-01', '2026-01-02', '2026-01-03']) {
      expect(await page.locator(`[data-asset="daily_revenue"][data-partition="${day}"]`).getAttribute('data-status')).toBe('done');
    }
    await page.screenshot({ path: join(SHOTS, 'backfill-page.png'), fullPage: true });
  });
});

describe.skipIf(!browserTestsEnabled)('the schedules page for a viewer (weir serve --auth)', () => {
  let session: BrowserSession;
  let page: Page;
  let tokens: RoleTokens = { viewer: '', editor: '' };

  beforeAll(async () => {
    ({ session, tokens } = await startAuthBrowserSession(orchestrationFiles(), { tokenPrefix: 'sched' }));
    page = await session.browser.newPage();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  it('disables Pause with the reason, and the server refuses a viewer\'s pause (403)', async () => {
    await page.goto(`${session.url}/#/schedules`);
    await signInWithToken(page, tokens.viewer);
    const pause = page.getByTestId('toggle-nightly');
    await pause.waitFor();
    expect(await pause.isDisabled()).toBe(true);
    expect(await pause.getAttribute('title')).toBe('needs an editor token: you are signed in as sched-viewer, a viewer');
    // Past the disabled button (React ignores clicks on it), the server still refuses.
    const forced = (await page.evaluate(
      `fetch('/api/triggers/nightly/pause', { method: 'POST', headers: { authorization: 'Bearer ${tokens.viewer}' } }).then(async (r) => [r.status, await r.text()])`,
    )) as [number, string];
    expect(forced[0]).toBe(403);
    expect(forced[1]).toContain('the token \\"sched-viewer\\" is a viewer; this call needs an editor token');
    await page.reload();
    await pause.waitFor();
    expect(await page.locator('[data-trigger="nightly"] [data-testid="trigger-state"]').textContent()).toBe('active');
    await page.screenshot({ path: join(SHOTS, 'schedules-viewer.png'), fullPage: true });
  });
});
