/**
 * The setup every browser test shares: a temporary project built by the real `weir run`, served
 * by `weir serve --port 0`, and Debian's Chromium (playwright-core) on a fresh profile. Browser
 * tests are skipped with a message when Chromium is absent outside CI; under CI=true they must run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect, type TestContext } from 'vitest';
import { gatedAssetTs, shopFiles } from '../e2e/shop-fixture.js';
import { createWeirProject, show, type BackgroundWeir, type WeirTestProject } from '../e2e/weir-test-project.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Where screenshots go, for people to look at. */
export const SHOTS = fileURLToPath(new URL('../../../../test-results/web-app/', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** False when the browser tests must be skipped (no Chromium, not under CI); warns once why. */
export const browserTestsEnabled = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!existsSync(CHROMIUM) && process.env.CI !== 'true') console.warn(`SKIPPED: ${CHROMIUM} not found; install it with apt-get install -y chromium`);

/** A served project and a browser pointed at nothing yet. */
export interface BrowserSession {
  project: WeirTestProject;
  server: BackgroundWeir;
  /** The server's base URL, `http://127.0.0.1:<port>`. */
  url: string;
  browser: BrowserContext;
  /** Stops the browser and the server and removes the project and the profile. */
  close(): Promise<void>;
}

/**
 * Builds `files` with `weir run` (expecting exit code `runCode`), serves the project and starts
 * Chromium on a fresh profile.
 *
 * @example
 * ```ts
 * const session = await startBrowserSession(shopFiles(), { runCode: 0 });
 * const page = await session.browser.newPage();
 * await page.goto(`${session.url}/#/graph`);
 * await session.close();
 * ```
 */
export async function startBrowserSession(files: Record<string, string>, { runCode }: { runCode: number }): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is required under CI=true (apt-get install -y chromium)`);
  const project = await createWeirProject(files);
  try {
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(runCode);
  } catch (error) {
    await project.cleanup();
    throw error;
  }
  return serveInBrowser(project);
}

/**
 * Serves a project that is already built (e.g. by an in-process history of many builds) and starts
 * Chromium; the session's `close` also removes the project. `serveArgs` are added to
 * `weir serve --port 0` (e.g. `--auth`).
 *
 * @example
 * ```ts
 * const session = await serveInBrowser(await createSpcHistoryProject());
 * ```
 */
export async function serveInBrowser(project: WeirTestProject, { serveArgs = [] }: { serveArgs?: string[] } = {}): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is required under CI=true (apt-get install -y chromium)`);
  let server: BackgroundWeir | undefined;
  let profile: string | undefined;
  let browser: BrowserContext | undefined;
  const close = async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    server?.kill('SIGTERM');
    await server?.exited;
    await project.cleanup();
  };
  try {
    server = project.spawnWeir(['serve', '--port', '0', ...serveArgs]);
    await server.waitForOutput(/at (http:\/\/127\.0\.0\.1:\d+)/);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stdout())![1]!;
    profile = mkdtempSync(join(tmpdir(), 'weir-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    mkdirSync(SHOTS, { recursive: true });
    return { project, server, url, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A session whose project has a TypeScript asset, `slow_orders`, that waits for a file. */
export interface GatedBrowserSession extends BrowserSession {
  /** The file `slow_orders` waits for: write it to let a run go on. */
  gate: string;
}

/**
 * The shop project built and served, plus `slow_orders`, a TypeScript asset added after the build
 * (so every run builds it until one succeeds) that waits for the file `gate` to exist. The gate's
 * path is written into the asset: weir serve's environment is not the test's. Its `close` opens
 * the gate first, so no run is left waiting.
 *
 * @example
 * ```ts
 * const session = await startGatedBrowserSession();
 * writeFileSync(session.gate, ''); // the waiting step goes on
 * ```
 */
export async function startGatedBrowserSession(): Promise<GatedBrowserSession> {
  const session = await startBrowserSession(shopFiles(), { runCode: 0 });
  const gate = join(session.project.root, 'gate');
  writeFileSync(join(session.project.root, 'models/slow_orders.ts'), gatedAssetTs().replace('process.env.WEIR_E2E_GATE', JSON.stringify(gate)));
  return {
    ...session,
    gate,
    close: async () => {
      writeFileSync(gate, '');
      await session.close();
    },
  };
}

/** A viewer's and an editor's token for a project served with `--auth`. */
export type RoleTokens = Record<'viewer' | 'editor', string>;

/**
 * Makes a viewer and an editor token with `weir tokens create` (named `<prefix>-viewer` and
 * `<prefix>-editor`), as an admin would before serving with `--auth`.
 *
 * @example
 * ```ts
 * const tokens = await createRoleTokens(project, 'ui');
 * const session = await serveInBrowser(project, { serveArgs: ['--auth'] });
 * ```
 */
export async function createRoleTokens(project: WeirTestProject, prefix: string): Promise<RoleTokens> {
  const tokens: RoleTokens = { viewer: '', editor: '' };
  for (const role of ['viewer', 'editor'] as const) {
    const made = await project.weir(['tokens', 'create', `${prefix}-${role}`, '--role', role]);
    expect(made.code, show(made)).toBe(0);
    tokens[role] = made.stdout.trim();
  }
  return tokens;
}

/**
 * Signs in through the web app's token form (shown on a page the API answered 401).
 *
 * @example
 * ```ts
 * await page.goto(`${session.url}/#/`);
 * await signInWithToken(page, tokens.viewer);
 * ```
 */
export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('token-submit').click();
}

/**
 * Builds `files` (by default one `weir run` that must succeed; `prepare` for more), makes a viewer
 * and an editor token, and serves the project with `--auth` in Chromium.
 *
 * @example
 * ```ts
 * const { session, tokens } = await startAuthBrowserSession(shopFiles(), { tokenPrefix: 'ui' });
 * ```
 */
export async function startAuthBrowserSession(
  files: Record<string, string>,
  { tokenPrefix, prepare }: { tokenPrefix: string; prepare?: (project: WeirTestProject) => Promise<void> },
): Promise<{ session: BrowserSession; tokens: RoleTokens }> {
  const project = await createWeirProject(files);
  let tokens: RoleTokens;
  try {
    if (prepare === undefined) {
      const run = await project.weir(['run']);
      expect(run.code, show(run)).toBe(0);
    } else {
      await prepare(project);
    }
    tokens = await createRoleTokens(project, tokenPrefix);
  } catch (error) {
    await project.cleanup();
    throw error;
  }
  return { session: await serveInBrowser(project, { serveArgs: ['--auth'] }), tokens };
}

/**
 * After a failed test, prints what a person needs to tell why: the server's output and the newest
 * runs with their step states, read from the server itself. Register it with `afterEach`.
 *
 * @example
 * ```ts
 * afterEach((context) => explainFailure(context, session));
 * ```
 */
export async function explainFailure(context: TestContext, session: BrowserSession | undefined): Promise<void> {
  if (context.task.result?.state !== 'fail' || session === undefined) return;
  const lines = [`--- weir serve (pid ${session.server.pid}) stdout ---`, session.server.stdout(), '--- stderr ---', session.server.stderr()];
  try {
    const runs = (await (await fetch(`${session.url}/api/runs`)).json()) as unknown;
    // With --auth the server answers 401 to this tokenless call: print what it said.
    if (!Array.isArray(runs)) lines.push(`--- GET /api/runs ---`, JSON.stringify(runs));
    for (const { runId } of (Array.isArray(runs) ? runs : []).slice(0, 3) as Array<{ runId: string }>) lines.push(`--- run ${runId} ---`, JSON.stringify(await (await fetch(`${session.url}/api/runs/${runId}`)).json()));
  } catch (error) {
    lines.push(`(the server did not answer: ${String(error)})`);
  }
  console.error(lines.join('\n'));
}
