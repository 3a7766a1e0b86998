/**
 * Benchmark: the DataOps KPIs (`GET /api/kpis`) of a busy environment.
 *
 * A SQLite state store (the real one, a file in a temp folder) holds 5,000 finished runs spread
 * over the last 60 days (two 30-day windows), each building 10 assets with a check per asset and
 * one failing run in ten: 50,000 steps and 50,000 check results. `computeKpis` reads that history
 * and folds it, as the route does for `?days=30`.
 *
 * Baseline: the same rows read bare from the same file with better-sqlite3 (`SELECT *` of the
 * runs, steps and check results tables, one prepared statement each). The ratio says how far the
 * store's reads plus the folding are from only reading the rows.
 *
 * Usage: node bench/kpis.js (after `npm run build`).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatMs, formatRatio, importCore, isMain, median, withScratch } from './lib/measure.js';

const RUNS = 5_000;
const ASSETS = 10;
const DAYS = 60;
const SAMPLES = 3;

const { openSqliteStateStore } = await importCore('storage/sqlite/open-sqlite-state-store.js');
const { computeKpis } = await importCore('kpis/compute-kpis.js');

/** The events of run `i`, started `i` steps back from now, evenly over {@link DAYS} days. */
function runEvents(i, now) {
  const runId = `bench-${String(i).padStart(5, '0')}`;
  const started = now - ((RUNS - i) / RUNS) * DAYS * 86_400_000;
  const at = (offset) => new Date(started + offset * 1000).toISOString();
  const failing = i % 10 === 0;
  const events = [{ type: 'run_started', at: at(0), runId, environment: 'prod', pid: 1, host: 'bench', command: 'run', selection: [], exclusion: [], plannedAssets: [] }];
  for (let a = 0; a < ASSETS; a++) {
    const asset = `asset_${a}`;
    const version = `${asset}_${i}`;
    const passed = !(failing && a === ASSETS - 1);
    events.push(
      { type: 'step_started', at: at(a + 1), runId, asset, version, attempt: 1 },
      { type: 'check_evaluated', at: at(a + 1), runId, asset, version, check: 'rows > 0', checkType: 'row_count', severity: 'error', passed, failingRows: null, detail: 'rows' },
      passed
        ? { type: 'step_succeeded', at: at(a + 1), runId, asset, version, rows: 10, durationMs: 5, warnings: 0 }
        : { type: 'step_failed', at: at(a + 1), runId, asset, version, error: { code: 'CHECK_FAILED', message: 'rows > 0 failed' }, attempts: 1 },
    );
  }
  events.push({ type: 'run_finished', at: at(ASSETS + 1), runId, status: failing ? 'failed' : 'succeeded', summary: {} });
  return events;
}

/**
 * Runs the benchmark and returns its summary rows.
 *
 * @example
 * ```js
 * const rows = await runKpisBench();
 * ```
 */
export async function runKpisBench() {
  return withScratch('weir-bench-kpis-', async (dir) => {
    const file = join(dir, 'state.db');
    const store = await openSqliteStateStore(file);
    const now = Date.now();
    const assets = Array.from({ length: ASSETS }, (_, a) => `asset_${a}`);
    try {
      for (let i = 0; i < RUNS; i += 100) await store.append(Array.from({ length: 100 }, (_, k) => runEvents(i + k, now)).flat());
      const kpis = [];
      const bare = [];
      let body;
      for (let sample = 0; sample < SAMPLES; sample++) {
        let started = performance.now();
        body = await computeKpis(store, { environment: 'prod', assets, roots: new Set(['asset_0']), days: 30, now: new Date(now) });
        kpis.push(performance.now() - started);
        started = performance.now();
        bareRead(file);
        bare.push(performance.now() - started);
      }
      const [measured, baseline] = [median(kpis), median(bare)];
      console.log(`== kpis: ${RUNS} runs x ${ASSETS} assets over ${DAYS} days (SQLite)`);
      console.log(`computeKpis (30 days): ${formatMs(measured)} median of ${SAMPLES}; ${body.runsRead} runs read, error rate ${body.errorRate.value}`);
      console.log(`bare read of the same rows: ${formatMs(baseline)}; ratio ${formatRatio(measured / baseline)}`);
      return [{ bench: 'kpis', measure: `computeKpis, ${RUNS} runs`, value: formatMs(measured), baseline: formatMs(baseline), ratio: measured / baseline, target: 'an overview that opens at once (< 1 s)' }];
    } finally {
      await store.close();
    }
  });
}

/** The floor: every row of the three tables the KPIs read, through one statement each. */
function bareRead(file) {
  const db = new Database(file, { readonly: true });
  try {
    for (const table of ['runs', 'steps', 'check_results']) db.prepare(`SELECT * FROM ${table}`).all();
  } finally {
    db.close();
  }
}

if (isMain(import.meta.url)) {
  await runKpisBench();
}
