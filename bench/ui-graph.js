/**
 * Benchmark: time to first render of a 500-asset graph in the browser (issue #6).
 *
 * Target: the graph page (`#/graph`) of a 500-asset project shows every node in < 1 s.
 *
 * A generated project of 500 SQL view models and the CSV source they read: 50 chains of 10 views,
 * and every fifth chain's views also join two neighbouring chains' views of the level before
 * (fan-in of 3, about 600 edges in all). The fan-in never feeds another fan-in across a level, so
 * DuckDB's expansion of views over views stays linear in depth: a random layered DAG of 25 levels
 * with fan-in at every level took `weir run` over ten minutes, timing DuckDB, not the browser.
 * It is built once by `weir run` and served by `weir serve --port 0`. Chromium (Debian's /usr/bin/chromium, through
 * playwright-core) opens a fresh tab per sample and the page itself records `performance.now()`
 * (milliseconds since the navigation started) when the last asset's node is in the DOM: fetching
 * the app and `/api/assets`, loading elkjs, the layout and React's render of the SVG all count.
 * The page's own `weir:graph-layout` user timing gives the layout's share. The page keeps the last
 * layout in localStorage (keyed by the names and edges, not the states), so it is measured twice:
 * cold (the entry removed before the app starts: a first visit, or the first after the project's
 * structure changed, where elkjs runs with a cold JIT) and cached (a return visit).
 *
 * Baseline, same run and same project: the overview page (`#/`) until its asset table has a row
 * for every asset, the plainest render of the same data. One warm-up of each, then samples
 * alternate between the two pages; the medians are compared.
 *
 * Skipped with a message when /usr/bin/chromium is absent.
 *
 * Usage: node bench/ui-graph.js (after `npm run build`); WEIR_BENCH_SCREENSHOT=<file.png> also saves
 * a screenshot of the graph, fitted and searched for `m_5_20`, to look at.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { SOURCE_NAME, writeViewProject } from './lib/generate-view-project.js';
import { formatMs, formatRatio, isMain, median, REPO_ROOT, timeProcess, WEIR_BIN, withScratch } from './lib/measure.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const LEVELS = 10;
const CHAINS = 50;
const SAMPLES = 5;
const TARGET_MS = 1000;

/** The models, `[{ name, inputs, sql }]`: chains with a fan-in every fifth chain. */
function chainModels() {
  const models = [];
  for (let level = 0; level < LEVELS; level++) {
    for (let chain = 0; chain < CHAINS; chain++) {
      const previous = (index) => `m_${level - 1}_${index % CHAINS}`;
      const inputs = level === 0 ? [SOURCE_NAME] : chain % 5 === 0 ? [previous(chain), previous(chain + 1), previous(chain + 7)] : [previous(chain)];
      const [first, ...rest] = inputs;
      const sum = inputs.map((_, index) => `t${index}.v`).join(' + ');
      const joins = rest.map((input, index) => `join ${input} as t${index + 1} using (id)\n`).join('');
      models.push({ name: `m_${level}_${chain}`, inputs, sql: `select t0.id, ${sum} as v\nfrom ${first} as t0\n${joins}` });
    }
  }
  return models;
}

/**
 * Serves a generated 500-model project and times the graph page's first full render against the
 * overview's, in Chromium.
 *
 * @example
 * ```js
 * const rows = await runUiGraphBench();
 * ```
 */
export async function runUiGraphBench({ log = console.log } = {}) {
  const models = chainModels();
  log(`== asset graph in the browser: first render of #/graph with ${models.length} models vs the overview's asset table`);
  if (!existsSync(CHROMIUM)) {
    log(`   skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);
    return [{ bench: 'ui graph', measure: `${models.length}-asset graph, first render`, value: 'skipped', baseline: '-', ratio: undefined, target: '< 1 s' }];
  }
  if (!existsSync(join(REPO_ROOT, 'packages', 'web', 'dist', 'index.html'))) throw new Error('packages/web/dist is missing: build first (npm run build)');
  return withScratch('weir-bench-ui-graph-', async (dir) => {
    await writeViewProject(dir, models);
    const run = await timeProcess(process.execPath, [WEIR_BIN, 'run'], { cwd: dir });
    if (run.code !== 0) throw new Error(`weir run exited ${run.code}\n${run.stdout}\n${run.stderr}`);
    log(`   weir run (${models.length} views): ${formatMs(run.ms)}`);
    const server = await startServer(dir);
    const profile = await mkdtemp(join(tmpdir(), 'weir-bench-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 800 } });
    try {
      const assets = await (await fetch(`${server.url}/api/assets`)).json();
      const count = assets.length;
      if (count < models.length) throw new Error(`the server lists ${count} assets, expected at least ${models.length}`);
      const pages = {
        graph: { path: '/#/graph', selector: 'svg.graph .graph-node' },
        overview: { path: '/#/', selector: 'table[data-testid="assets"] tbody tr' },
      };
      const series = {
        cold: { ...pages.graph, forget: true },
        cached: { ...pages.graph, forget: false },
        overview: { ...pages.overview, forget: false },
      };
      const times = { cold: [], cached: [], overview: [], coldLayout: [], cachedLayout: [] };
      for (let sample = 0; sample <= SAMPLES; sample++) {
        for (const [name, { path, selector, forget }] of Object.entries(series)) {
          const { rendered, layout } = await timeFirstRender(browser, `${server.url}${path}`, selector, count, forget);
          // Sample 0 is the warm-up: the first visit also fills the browser's cache.
          if (sample === 0) continue;
          times[name].push(rendered);
          if (name !== 'overview') times[`${name}Layout`].push(layout);
        }
      }
      if (process.env.WEIR_BENCH_SCREENSHOT) await screenshot(browser, `${server.url}${pages.graph.path}`, process.env.WEIR_BENCH_SCREENSHOT);
      const [cold, cached, overview, coldLayout, cachedLayout] = [times.cold, times.cached, times.overview, times.coldLayout, times.cachedLayout].map(median);
      const list = (values) => values.map((ms) => ms.toFixed(0)).join(', ');
      const verdict = (ms) => `target < 1 s: ${ms < TARGET_MS ? 'met' : 'MISSED'}`;
      log(`   #/graph, navigation -> ${count} nodes in the DOM, median of ${SAMPLES}:`);
      log(`     cold (no cached layout): ${formatMs(cold)}  [${list(times.cold)}] ms  (${verdict(cold)}); elkjs layout ${formatMs(coldLayout)}  [${list(times.coldLayout)}] ms`);
      log(`     cached layout:           ${formatMs(cached)}  [${list(times.cached)}] ms  (${verdict(cached)}); layout step ${formatMs(cachedLayout)}`);
      log(`   #/ overview, navigation -> ${count} table rows:  ${formatMs(overview)}  [${list(times.overview)}] ms`);
      log(`   -> the graph takes ${formatRatio(cold / overview)} the overview's time cold, ${formatRatio(cached / overview)} with its layout cached`);
      return [
        { bench: 'ui graph', measure: `${count}-asset graph, first render, cold`, value: formatMs(cold), baseline: formatMs(overview), ratio: cold / overview, target: '< 1 s' },
        { bench: 'ui graph', measure: `${count}-asset graph, first render, cached layout`, value: formatMs(cached), baseline: formatMs(overview), ratio: cached / overview, target: '< 1 s' },
      ];
    } finally {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
      await server.stop();
    }
  });
}

/**
 * Opens `url` in a new tab and answers, in the page's own clock (ms since its navigation
 * started), when `count` elements match `selector`, and the graph layout's user timing if any;
 * `forgetLayout` removes the graph's cached layout before the app starts.
 */
async function timeFirstRender(browser, url, selector, count, forgetLayout) {
  const page = await browser.newPage();
  try {
    if (forgetLayout) await page.addInitScript(() => localStorage.removeItem('weir:graph-layout'));
    // Installed before the app's scripts run: a MutationObserver notes the first moment the DOM holds them all.
    await page.addInitScript(
      ({ selector, count }) => {
        window.__weirRendered = new Promise((resolve) => {
          const observer = new MutationObserver(() => {
            if (document.querySelectorAll(selector).length >= count) {
              observer.disconnect();
              resolve(performance.now());
            }
          });
          observer.observe(document, { childList: true, subtree: true });
        });
      },
      { selector, count },
    );
    await page.goto(url);
    const rendered = await page.evaluate(() => window.__weirRendered);
    const layout = await page.evaluate(() => performance.getEntriesByName('weir:graph-layout')[0]?.duration ?? 0);
    return { rendered, layout };
  } finally {
    await page.close();
  }
}

/** The whole graph, fitted, then searched for one asset, in two files: `<name>.png`, `<name>-search.png`. */
async function screenshot(browser, url, path) {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.locator('svg.graph .graph-node').first().waitFor();
    await page.screenshot({ path });
    await page.getByTestId('graph-search').fill('m_5_20');
    await page.screenshot({ path: path.replace(/\.png$/, '-search.png') });
  } finally {
    await page.close();
  }
}

/** `weir serve --port 0` on the project, and the URL it prints. */
function startServer(cwd) {
  const child = spawn(process.execPath, [WEIR_BIN, 'serve', '--port', '0'], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.on('close', resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`weir serve printed no URL within 60 s\n${output}`));
    }, 60_000);
    const seen = (chunk) => {
      output += chunk;
      const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, stop });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`weir serve exited ${code} before it printed its URL\n${output}`));
    });
  });
}

if (isMain(import.meta.url)) {
  await runUiGraphBench();
}
