/**
 * The web app in a real browser (Debian's Chromium driven by playwright-core) against `weir serve`
 * on a project built by the real `weir run`: the overview lists every asset with its state, and a
 * click on an asset opens its page with columns and checks. Screenshots go to
 * test-results/web-app/ for people to look at. Skipped with a message when Chromium is absent
 * outside CI; under CI=true it must run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopFiles } from '../e2e/shop-fixture.js';
import { createWeirProject, show, type BackgroundWeir, type WeirTestProject } from '../e2e/weir-test-project.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../../../test-results/web-app/', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const available = existsSync(CHROMIUM);
if (!available && process.env.CI !== 'true') console.warn(`SKIPPED: ${CHROMIUM} not found; install it with apt-get install -y chromium`);

describe.skipIf(!available && process.env.CI !== 'true')('the web app in Chromium', () => {
  let project: WeirTestProject;
  let server: BackgroundWeir;
  let url: string;
  let profile: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is required under CI=true (apt-get install -y chromium)`);
    project = await createWeirProject({
      ...shopFiles(),
      'models/big_orders.sql': '/*---\nchecks:\n  - expression: { sql: "amount > 100", name: all_big }\n---*/\nselect * from orders\n',
    });
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(1);
    server = project.spawnWeir(['serve', '--port', '0']);
    await server.waitForOutput(/at (http:\/\/127\.0\.0\.1:\d+)/);
    url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stdout())![1]!;
    profile = mkdtempSync(join(tmpdir(), 'weir-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    server?.kill('SIGTERM');
    await server?.exited;
    await project?.cleanup();
  });

  it('shows every asset with its state on the overview, and an asset page after a click', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const orders = page.locator('table[data-testid="assets"] tr[data-asset="orders"]');
    await orders.waitFor();
    expect(await orders.textContent()).toContain('published');
    expect(await page.locator('table[data-testid="assets"] tr[data-asset="big_orders"]').textContent()).toContain('blocked');
    expect(await page.locator('table[data-testid="assets"] tbody tr').count()).toBe(Number(await page.getByTestId('asset-count').textContent()));
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });

    await orders.getByRole('link', { name: 'orders' }).click();
    await page.getByTestId('asset-name').waitFor();
    expect(await page.getByTestId('asset-name').textContent()).toContain('orders');
    expect(await page.locator('table[data-testid="columns"]').textContent()).toContain('order_id');
    expect(await page.locator('table[data-testid="checks"]').textContent()).toContain('unique_order_id');
    await page.screenshot({ path: join(SHOTS, 'asset-orders.png'), fullPage: true });
  });
});
