/**
 * Benchmark: API latency of the asset graph of a generated 1,000-asset project (issue #6).
 *
 * A generated project of 1,000 SQL view models and their CSV source: 100 chains of 10 views, every
 * fifth chain's views also joining two neighbouring chains' views of the level before (about 1,200
 * edges), built once by `weir run` and served by `weir serve --port 0`. The server lays the graph
 * out in a worker thread as it starts; the bench first times how long `/api/graph` takes to answer
 * after the server printed its URL (the layout's cold start, once per project structure), then
 * sends 200 sequential requests to each route over one keep-alive connection and reports p50, p95
 * and p99, body read included:
 *
 * - `GET /api/graph`: the cached layout (about 200 kB of JSON, serialised once);
 * - `GET /api/assets`: every asset with its state, read from the state store at every request;
 * - baselines, same server, same run: `GET /api/health` (HTTP, Hono and the auth middleware: the
 *   floor of any route) and `GET /api/project` (the floor plus the project version check every
 *   project route pays: a hash of every model file, 1,000 here).
 *
 * Ratios are p95 against `/api/health`'s p95 and `/api/project`'s p95. Nothing is asserted.
 *
 * Usage: node bench/api-graph.js (after `npm run build`); WEIR_BENCH_API_REQUESTS=50 for a quick run.
 */
import { chainModels, writeViewProject } from './lib/generate-view-project.js';
import { formatMs, formatRatio, isMain, timeProcess, WEIR_BIN, withScratch } from './lib/measure.js';
import { startWeirServe } from './lib/weir-serve.js';

const LEVELS = 10;
const CHAINS = 100;
const REQUESTS = Number(process.env.WEIR_BENCH_API_REQUESTS ?? 200);
const WARM_UP = 20;

/** The q-quantile (0..1) of `values`, nearest rank. */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Times one GET, body read included; throws on a non-200 answer. */
async function timeGet(url) {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  return { ms, bytes: body.length, body };
}

/** `WARM_UP` untimed requests, then `REQUESTS` timed ones: `{ p50, p95, p99, bytes }`. */
async function measureRoute(url) {
  for (let index = 0; index < WARM_UP; index++) await timeGet(url);
  const times = [];
  let bytes = 0;
  for (let index = 0; index < REQUESTS; index++) {
    const answer = await timeGet(url);
    times.push(answer.ms);
    bytes = answer.bytes;
  }
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), p99: quantile(times, 0.99), bytes };
}

/**
 * Builds and serves the generated 1,000-model project and measures the API's graph routes against
 * `/api/health` and `/api/project` of the same server.
 *
 * @example
 * ```js
 * const rows = await runApiGraphBench();
 * ```
 */
export async function runApiGraphBench({ log = console.log } = {}) {
  const models = chainModels({ levels: LEVELS, chains: CHAINS });
  log(`== API latency of the asset graph: ${models.length} view models, ${REQUESTS} sequential requests per route`);
  return withScratch('weir-bench-api-graph-', async (dir) => {
    await writeViewProject(dir, models);
    const run = await timeProcess(process.execPath, [WEIR_BIN, 'run'], { cwd: dir });
    if (run.code !== 0) throw new Error(`weir run exited ${run.code}\n${run.stdout}\n${run.stderr}`);
    log(`   weir run (${models.length} views): ${formatMs(run.ms)}`);
    const server = await startWeirServe(dir);
    try {
      // The first answer waits for the layout started as the server started (elkjs in a worker, cold JIT).
      const first = await timeGet(`${server.url}/api/graph`);
      const ready = performance.now() - server.startedAt;
      const graph = JSON.parse(first.body);
      if (graph.nodes.length < models.length) throw new Error(`/api/graph has ${graph.nodes.length} nodes, expected at least ${models.length}`);
      log(`   /api/graph first answer ${formatMs(ready)} after the server printed its URL (${graph.nodes.length} nodes, ${graph.edges.length} edges, ${(first.bytes / 1024).toFixed(0)} kB)`);
      const routes = ['/api/health', '/api/project', '/api/graph', '/api/assets'];
      const results = {};
      for (const route of routes) results[route] = await measureRoute(`${server.url}${route}`);
      const health = results['/api/health'];
      const project = results['/api/project'];
      log(`   route           p50       p95       p99       body     p95 / health  p95 / project`);
      for (const route of routes) {
        const { p50, p95, p99, bytes } = results[route];
        log(
          `   ${route.padEnd(14)}  ${formatMs(p50).padEnd(8)}  ${formatMs(p95).padEnd(8)}  ${formatMs(p99).padEnd(8)}  ${`${(bytes / 1024).toFixed(0)} kB`.padEnd(7)}  ${formatRatio(p95 / health.p95).padEnd(12)}  ${formatRatio(p95 / project.p95)}`,
        );
      }
      const row = (route) => ({
        bench: 'api graph',
        measure: `GET ${route} p95, ${models.length} assets (vs /api/health)`,
        value: formatMs(results[route].p95),
        baseline: formatMs(health.p95),
        ratio: results[route].p95 / health.p95,
        target: '-',
      });
      return [row('/api/graph'), row('/api/assets'), { bench: 'api graph', measure: `/api/graph ready after serve start, ${models.length} assets`, value: formatMs(ready), baseline: '-', ratio: undefined, target: '-' }];
    } finally {
      await server.stop();
    }
  });
}

if (isMain(import.meta.url)) {
  await runApiGraphBench();
}
