/**
 * The asset page's control charts and check history in Chromium, against `weir serve` on a project
 * with eleven builds of history (ten steady row counts, then a planted jump to 300 rows): the
 * row-count chart draws every point, the centre line and both limits, and marks the jump in red
 * above the upper limit with rule 1 in its tooltip; the check history shows the spc check failing
 * on the last build only. Screenshot: test-results/web-app/asset-control-charts.png.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSpcHistoryProject, SPC_ROWS } from '../e2e/spc-history-fixture.js';
import { browserTestsEnabled, explainFailure, serveInBrowser, SHOTS, type BrowserSession } from './browser-session.js';

describe.skipIf(!browserTestsEnabled)('control charts on the asset page in Chromium', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await serveInBrowser(await createSpcHistoryProject());
  }, 120_000);

  afterEach((context) => explainFailure(context, session));

  afterAll(async () => {
    await session?.close();
  });

  it('draws the row-count chart: every point, centre and limits, the planted jump marked with its rule', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.url}/#/assets/orders`);
    const rowCount = page.locator('[data-testid="metric"][data-metric="row_count"]');
    const chart = rowCount.locator('svg[data-testid="control-chart"]');
    await chart.waitFor();

    expect(await chart.locator('circle').count()).toBe(SPC_ROWS.length);
    expect(await chart.getAttribute('data-status')).toBe('out_of_control');
    expect(await rowCount.getByTestId('spc-status').textContent()).toBe('out of control');
    for (const line of ['centre-line', 'upper-limit', 'lower-limit']) expect(await chart.getByTestId(line).locator('line').count()).toBe(1);

    const violations = chart.locator('circle[data-testid="violation"]');
    expect(await violations.count()).toBe(1);
    const violation = violations.first();
    expect(await violation.getAttribute('data-rules')).toBe('1');
    const tip = await violation.locator('title').textContent();
    expect(tip).toContain(': 300');
    expect(tip).toContain('rule 1: a point outside the control limits');
    // Red as drawn (the tests are type-checked without the DOM library, hence the function as text).
    const fill = `getComputedStyle(document.querySelector('[data-metric="row_count"] circle[data-testid="violation"]')).fill`;
    expect(await page.evaluate(fill)).toBe('rgb(209, 36, 47)');

    // Where it is drawn: the last point, above the upper limit; the steady points between the limits.
    const lineY = async (id: string) => Number(await chart.getByTestId(id).locator('line').getAttribute('y1'));
    const circles = [];
    for (const circle of await chart.locator('circle').all()) {
      circles.push({ x: Number(await circle.getAttribute('cx')), y: Number(await circle.getAttribute('cy')), marked: (await circle.getAttribute('data-testid')) === 'violation' });
    }
    const geometry = { upper: await lineY('upper-limit'), centre: await lineY('centre-line'), lower: await lineY('lower-limit'), circles };
    const last = geometry.circles.at(-1)!;
    expect(last.marked).toBe(true);
    expect(Math.max(...geometry.circles.map((circle) => circle.x))).toBe(last.x);
    expect(last.y).toBeLessThan(geometry.upper); // SVG y grows downwards
    expect(geometry.upper).toBeLessThan(geometry.centre);
    expect(geometry.centre).toBeLessThan(geometry.lower);
    for (const steady of geometry.circles.slice(0, -1)) {
      expect(steady.marked).toBe(false);
      expect(steady.y).toBeGreaterThan(geometry.upper);
      expect(steady.y).toBeLessThan(geometry.lower);
    }

    // A column metric is charted too, once its column's group is opened, and stays in control.
    await page.locator('details.column-metrics[data-column="email"] > summary').click();
    const nullRate = page.locator('[data-testid="metric"][data-metric="null_rate(email)"] svg[data-testid="control-chart"]');
    await nullRate.waitFor();
    expect(await nullRate.locator('circle[data-testid="violation"]').count()).toBe(0);

    // The check history: the spc check failed on the jump only; not_null passed every time.
    const spcRow = page.locator('table[data-testid="check-history"] tr[data-check="spc_row_count"]');
    await spcRow.waitFor();
    expect(await spcRow.locator('td').nth(2).textContent()).toBe('FAIL');
    const marks = await Promise.all((await spcRow.locator('.mark').all()).map((mark) => mark.getAttribute('data-passed')));
    expect(marks).toEqual([...Array<string>(SPC_ROWS.length - 1).fill('true'), 'false']);
    expect(await page.locator('table[data-testid="check-history"] tr[data-check="not_null_id"] .mark.fail').count()).toBe(0);

    await page.screenshot({ path: join(SHOTS, 'asset-control-charts.png'), fullPage: true });
  });
});
