/**
 * The runs pages in Chromium against `weir serve`: a run started with the Run button opens its page,
 * which shows the gated step running and then, once the gate opens, the run succeeded, without a
 * reload (the page follows the run's server-sent events); the Cancel button ends a gated run
 * cancelled; Retry starts a run of the steps that did not succeed; the list filters by status and
 * text, and shows a run started from the command line without a reload. The slow step is a
 * TypeScript asset added after the first build that waits for a file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, browserTestsEnabled, explainFailure, startGatedBrowserSession, type GatedBrowserSession } from './browser-session.js';

describe.skipIf(!browserTestsEnabled)('the runs pages in Chromium', () => {
  let session: GatedBrowserSession;
  let gate: string;
  let page: Page;

  beforeAll(async () => {
    session = await startGatedBrowserSession();
    gate = session.gate;
    page = await session.browser.newPage();
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  /** Marks the document: a reload would lose the mark. */
  // Strings, not functions: the tests are type-checked without the DOM library.
  const markDocument = () => page.evaluate('window.weirMark = 42');
  const stillSameDocument = () => page.evaluate('window.weirMark === 42');
  const runStatus = () => page.getByTestId('run-status').textContent();

  it('starts a run with the Run button, shows the gated step running live, and the Cancel button ends it cancelled', async () => {
    await page.goto(`${session.url}/#/runs`);
    await page.getByTestId('run-selection').fill('slow_orders+');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/#\/runs\/.+/);
    await page.locator('[data-step="slow_orders"][data-status="running"]').waitFor();
    await page.locator('[data-event="step_started"]').first().waitFor();
    expect(await runStatus()).toBe('running');
    expect(await page.getByTestId('run-log').textContent()).toContain('run started');
    await page.screenshot({ path: join(SHOTS, 'run-cancel-running.png'), fullPage: true });
    await markDocument();

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-testid="run-status"]', { hasText: 'cancelled' }).waitFor();
    expect(await stillSameDocument()).toBe(true);
    expect(await page.locator('[data-step="slow_orders"]').getAttribute('data-status')).toBe('cancelled');
    await page.getByRole('button', { name: /Retry failed steps/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await page.locator('[data-event="run_finished"]').waitFor();
    expect(await page.getByTestId('run-log').textContent()).toContain('run finished: cancelled');
    await page.screenshot({ path: join(SHOTS, 'run-cancelled.png'), fullPage: true });
  });

  it('retries the cancelled steps in a new run that moves from running to succeeded without a reload', async () => {
    const cancelled = await page.getByTestId('run-id').textContent();
    await page.getByRole('button', { name: /Retry failed steps/ }).click();
    await page.waitForURL((url) => url.hash.startsWith('#/runs/') && !url.hash.endsWith(cancelled!));
    await page.locator('[data-step="slow_orders"][data-status="running"]').waitFor();
    expect(await runStatus()).toBe('running');
    expect(await page.locator('.run-facts').textContent()).toContain('retry');
    await markDocument();
    // The running bar grows with the clock: its width changes while the step waits at the gate.
    const bar = page.locator('[data-step="slow_orders"] .timeline-bar');
    const firstWidth = (await bar.boundingBox())!.width;
    await page.waitForFunction(`document.querySelector('[data-step="slow_orders"] .timeline-bar').getBoundingClientRect().width > ${firstWidth + 2}`);
    await page.screenshot({ path: join(SHOTS, 'run-running.png'), fullPage: true });

    writeFileSync(gate, '');
    await page.locator('[data-testid="run-status"]', { hasText: 'succeeded' }).waitFor();
    expect(await stillSameDocument()).toBe(true);
    expect(await page.locator('[data-step="slow_orders"]').getAttribute('data-status')).toBe('succeeded');
    await page.locator('[data-event="run_finished"]').waitFor();
    expect(await page.getByTestId('run-log').textContent()).toContain('run finished: succeeded');
    expect(await page.getByRole('button', { name: /Retry failed steps|Cancel/ }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'run-succeeded.png'), fullPage: true });
  });

  it('lists the runs, filtered by status and by command or selection', async () => {
    await page.getByRole('link', { name: 'Runs' }).click();
    const rows = page.locator('table[data-testid="runs"] tbody tr');
    await rows.nth(2).waitFor();
    expect(await rows.count()).toBe(3);

    await page.getByTestId('run-status-filter').selectOption('cancelled');
    await page.waitForFunction(`document.querySelectorAll('table[data-testid="runs"] tbody tr').length === 1`);
    expect(await rows.first().textContent()).toContain('cancelled');

    await page.getByTestId('run-status-filter').selectOption('');
    await rows.nth(2).waitFor();
    await page.getByTestId('run-text-filter').fill('retry');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('succeeded');
    await page.screenshot({ path: join(SHOTS, 'runs-list.png'), fullPage: true });

    await rows.first().getByRole('link').click();
    await page.locator('[data-step="slow_orders"][data-status="succeeded"]').waitFor();
  });

  it('shows a failed step\'s error at its file and line, and the failed checks', async () => {
    writeFileSync(join(session.project.root, 'models/broken.sql'), 'select order_id,\n  cast(\'not a number\' as integer) as n\nfrom orders\n');
    writeFileSync(join(session.project.root, 'models/big_orders.sql'), '/*---\nchecks:\n  - expression: { sql: "amount > 100", name: all_big }\n---*/\nselect * from orders\n');
    await page.goto(`${session.url}/#/runs`);
    await page.getByTestId('run-selection').fill('broken big_orders');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.locator('[data-testid="run-status"]', { hasText: 'failed' }).waitFor();
    await page.getByTestId('run-errors').waitFor();
    expect(await page.getByTestId('run-errors').textContent()).toContain('Could not convert string');
    expect(await page.locator('[data-testid="run-errors"] li', { hasText: 'broken' }).locator('.error-location').textContent()).toBe(' at models/broken.sql:2');
    expect(await page.getByTestId('failed-checks').textContent()).toContain('all_big');
    expect(await page.locator('[data-step="big_orders"]').getAttribute('data-status')).toBe('blocked');
    await page.getByRole('button', { name: 'Retry failed steps (2)' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'run-failed.png'), fullPage: true });
  });

  it('lists a run started from the command line while the list is open, without a reload', async () => {
    await page.goto(`${session.url}/#/runs`);
    const rows = page.locator('table[data-testid="runs"] tbody tr');
    await rows.first().waitFor();
    const before = await rows.count();
    await markDocument();
    // weir run hands its work to weir serve, which owns the project.
    const run = await session.project.weir(['run', '--select', 'orders']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const [{ runId }] = (await (await fetch(`${session.url}/api/runs?limit=1`)).json()) as [{ runId: string }];
    await page.locator(`table[data-testid="runs"] a[href="#/runs/${runId}"]`).first().waitFor();
    expect(await rows.count()).toBe(before + 1);
    expect(await stillSameDocument()).toBe(true);
  });

  it('says why a run cannot start, and that a run does not exist', async () => {
    await page.goto(`${session.url}/#/runs`);
    await page.getByTestId('run-selection').fill('no_such_asset');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('run-start-error').waitFor();
    expect(await page.getByTestId('run-start-error').textContent()).toContain('no_such_asset');
    expect(page.url()).toMatch(/#\/runs$/);

    await page.goto(`${session.url}/#/runs/no-such-run`);
    await page.getByTestId('run-error').waitFor();
    expect(await page.getByTestId('run-error').textContent()).toContain('no run "no-such-run"');
  });
});
