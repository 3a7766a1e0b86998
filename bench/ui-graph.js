/**
 * Benchmark: time to first render of a 500-asset graph in the browser (issue #6).
 *
 * Target: the graph page (`#/graph`) of a 500-asset project shows every node in < 1 s.
 *
 * A generated project of 500 SQL view models and the CSV source they read: 50 chains of 10 views,
 * every fifth chain's views also joining two neighbouring chains' views of the level before (fan-in
 * 3, about 600 edges; lib/generate-view-project.js `chainModels`). It is built once by `weir run`
 * and served by `weir serve --port 0`, which lays the graph out (elkjs in a worker thread) as it
 * starts; the bench waits until `/api/graph` answers, so the layout is ready on the server, as it is
 * for any visit but the first seconds after a start or a structural edit.
 *
 * Chromium (Debian's /usr/bin/chromium, through playwright-core) opens every sample in a new
 * browser context: an empty cache, a cold first visit. The page itself records `performance.now()`
 * (ms since its navigation started) when the last asset's node is in the DOM: fetching the app,
 * `/api/graph` and `/api/assets`, and React's render of the SVG all count. Two series, alternating,
 * one warm-up each then the medians:
 * - **graph**: `#/graph` as shipped (the server's layout joined with the states);
 * - **baseline**, same run and project: the overview (`#/`) until its asset table has a row for
 *   every asset, the plainest render of the same data.
 * The page's `weir:graph-layout` user timing gives the share of joining the layout with the states.
 * (The browser no longer lays the graph out itself, so there is no browser-layout series.)
 *
 * Skipped with a message when /usr/bin/chromium is absent.
 *
 * Usage: node bench/ui-graph.js (after `npm run build`); WEIR_BENCH_SCREENSHOT=<file.png> also saves
 * a screenshot of the graph, fitted and searched for `m_5_20`, to look at.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chainModels, writeViewProject } from './lib/generate-view-project.js';
import { formatMs, formatRatio, isMain, median, REPO_ROOT, timeProcess, WEIR_BIN, withScratch } from './lib/measure.js';
import { startWeirServe } from './lib/weir-serve.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const LEVELS = 10;
const CHAINS = 50;
const SAMPLES = 5;
const TARGET_MS = 1000;

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
  const models = chainModels({ levels: LEVELS, chains: CHAINS });
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
    const server = await startWeirServe(dir);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    try {
      // The layout is ready on the server once /api/graph answers (the server started it as it started).
      const graph = await (await fetch(`${server.url}/api/graph`)).json();
      log(`   /api/graph ready ${formatMs(performance.now() - server.startedAt)} after the server printed its URL`);
      const assets = await (await fetch(`${server.url}/api/assets`)).json();
      const count = assets.length;
      if (count < models.length || graph.nodes.length !== count) throw new Error(`the server lists ${count} assets and ${graph.nodes.length} graph nodes, expected ${models.length + 1}`);
      const series = {
        graph: { path: '/#/graph', selector: 'svg.graph .graph-node' },
        overview: { path: '/#/', selector: 'table[data-testid="assets"] tbody tr' },
      };
      const times = { graph: [], overview: [], join: [] };
      for (let sample = 0; sample <= SAMPLES; sample++) {
        for (const [name, { path, selector }] of Object.entries(series)) {
          const { rendered, join } = await timeFirstRender(browser, `${server.url}${path}`, selector, count);
          // Sample 0 is the warm-up (the server's JIT, the OS's file cache).
          if (sample === 0) continue;
          times[name].push(rendered);
          if (name === 'graph') times.join.push(join);
        }
      }
      if (process.env.WEIR_BENCH_SCREENSHOT) await screenshot(browser, `${server.url}${series.graph.path}`, process.env.WEIR_BENCH_SCREENSHOT);
      const [graphMs, overview, joinMs] = [times.graph, times.overview, times.join].map(median);
      const list = (values) => values.map((ms) => ms.toFixed(0)).join(', ');
      log(`   #/graph in a fresh browser context, navigation -> ${count} nodes in the DOM, median of ${SAMPLES}:`);
      log(`     ${formatMs(graphMs)}  [${list(times.graph)}] ms  (target < 1 s: ${graphMs < TARGET_MS ? 'met' : 'MISSED'}); joining the layout with the states ${formatMs(joinMs)}`);
      log(`   #/ overview, navigation -> ${count} table rows:  ${formatMs(overview)}  [${list(times.overview)}] ms`);
      log(`   -> the graph takes ${formatRatio(graphMs / overview)} the overview's time`);
      return [{ bench: 'ui graph', measure: `${count}-asset graph, first render`, value: formatMs(graphMs), baseline: formatMs(overview), ratio: graphMs / overview, target: '< 1 s' }];
    } finally {
      await browser.close();
      await server.stop();
    }
  });
}

/**
 * Opens `url` in a new browser context (empty cache) and answers, in the page's own clock (ms since
 * its navigation started), when `count` elements match `selector`, and the duration of the graph
 * page's `weir:graph-layout` user timing (joining the server's layout with the states; 0 elsewhere).
 */
async function timeFirstRender(browser, url, selector, count) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
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
    const join = await page.evaluate(() => performance.getEntriesByName('weir:graph-layout')[0]?.duration ?? 0);
    return { rendered, join };
  } finally {
    await context.close();
  }
}

/** The whole graph, fitted, then searched for one asset, in two files: `<name>.png`, `<name>-search.png`. */
async function screenshot(browser, url, path) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
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

if (isMain(import.meta.url)) {
  await runUiGraphBench();
}
