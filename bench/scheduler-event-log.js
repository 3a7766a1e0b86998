/**
 * Benchmark 2: planner + scheduler + event log, without a warehouse.
 *
 * Target (ARCHITECTURE.md section 6): 10,000 no-op steps with a SQLite log cost <= 10 us per step,
 * and never one fsync per event (events are group-committed).
 *
 * What runs is Weir's own code from `packages/core/dist`: `buildPlan` (dependency order and
 * fingerprints) and `executePlan` (the scheduler, `runStep` with its build/check/publish events)
 * recording into the real SQLite state store (`openSqliteStateStore`, a file in a temp folder).
 * Only the warehouse is replaced: `NO_OP_ENGINE` below is an in-memory EngineAdapter stub whose
 * every operation does nothing, defined here in the bench and nowhere else (a benchmark, not a
 * test: the tests run real engines). The project is built in memory (10,000 SQL assets in a random
 * DAG) rather than by `loadProject`, whose cost is benchmark 3's subject.
 *
 * Baseline: a bare loop inserting as many rows as the run recorded events into a SQLite table
 * (same WAL and synchronous settings, one prepared statement, one transaction). The ratio says
 * how far Weir's whole path (plan, schedule, events with their projections) is from only writing
 * the rows.
 *
 * Usage: node bench/scheduler-event-log.js (after `npm run build`).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatMs, formatRatio, importCore, isMain, median, withScratch } from './lib/measure.js';
import { seededRandom } from './lib/generate-view-project.js';

const STEPS = 10_000;
/** Inputs are drawn from this many assets before each one, so the DAG is deep as well as wide. */
const INPUT_WINDOW = 200;
const MAX_INPUTS = 3;
/** `weir run`'s default concurrency (weir.yaml `defaults.concurrency`). */
const CONCURRENCY = 4;
const BASELINE_SAMPLES = 3;

const { buildPlan } = await importCore('plan/build-plan.js');
const { executePlan } = await importCore('execution/execute-plan.js');
const { openSqliteStateStore } = await importCore('storage/sqlite/open-sqlite-state-store.js');

/**
 * The warehouse replaced by nothing: every primitive resolves at once. `describe` says the version
 * does not exist, so every step takes the full path (build, check, publish) and records its events.
 */
const NO_OP_ENGINE = {
  kind: 'duckdb',
  capabilities: { atomicViewSwap: true, transactionalDdl: true, merge: true, fileFormats: ['csv'], concurrentWriters: false },
  async session() {
    return {
      // The check plan always asks for the row count; no checks are declared, so that is all.
      async query() {
        return [{ __rows: 0 }];
      },
      async execute() {},
      async *streamRows() {},
      async setSearchPath() {},
      interrupt() {},
      async transaction(work) {
        return work();
      },
      async close() {},
    };
  },
  async close() {},
  quoteIdentifier: (name) => `"${name}"`,
  quoteRelation: (ref) => `"${ref.schema}"."${ref.name}"`,
  async createSchema() {},
  async describe() {
    return undefined;
  },
  async listRelations() {
    return [];
  },
  async viewDefinitions() {
    return new Map();
  },
  async createTableAs() {},
  async createViewAs() {},
  async cloneTable() {},
  async appendFrom() {},
  async mergeFrom() {},
  async pointView() {},
  async drop() {},
  async loadFiles() {},
  async bulkInsert() {},
  async rowCount() {
    return 0;
  },
};

/** A project of `count` view models in a random DAG, shaped as `loadProject` returns one. */
function randomDagProject(root, count) {
  const random = seededRandom(7);
  const assets = new Map();
  for (let index = 0; index < count; index++) {
    const name = `a${index}`;
    const inputs = new Set();
    if (index > 0) {
      const wanted = Math.floor(random() * (MAX_INPUTS + 1));
      for (let n = 0; n < wanted; n++) inputs.add(`a${Math.max(0, index - 1 - Math.floor(random() * INPUT_WINDOW))}`);
    }
    const from = [...inputs];
    const sql = from.length === 0 ? 'select 1 as id' : `select * from ${from.join(', ')}`;
    let offset = 'select * from '.length;
    const references = from.map((asset) => {
      const reference = { asset, offset, length: asset.length };
      offset += asset.length + 2;
      return reference;
    });
    assets.set(name, {
      kind: 'sql', name, file: `models/${name}.sql`, line: 1, tags: [], columns: {}, checks: [],
      materialization: 'view', sql, sqlStartLine: 1, inputs: from, inputsDeclared: false, references,
    });
  }
  return {
    name: 'bench', root, environment: 'prod',
    warehouse: { engine: 'duckdb', path: join(root, 'warehouse.duckdb') },
    state: { store: 'sqlite', path: join(root, 'state.db') },
    defaults: { materialization: 'view', concurrency: CONCURRENCY, retries: 0, retryDelaySeconds: 1, timeoutSeconds: 3600, retainVersions: 3 },
    assets,
  };
}

/**
 * Plans and executes 10,000 no-op steps against the real SQLite store; returns summary rows.
 *
 * @example
 * ```js
 * const rows = await runSchedulerBench();
 * ```
 */
export async function runSchedulerBench({ log = console.log } = {}) {
  log(`== planner + scheduler + event log: ${STEPS.toLocaleString('en')} no-op steps, SQLite state store, no warehouse`);
  return withScratch('weir-bench-scheduler-', async (dir) => {
    const project = randomDagProject(dir, STEPS);
    const edges = [...project.assets.values()].reduce((sum, asset) => sum + asset.inputs.length, 0);
    const store = await openSqliteStateStore(join(dir, 'state.db'));
    let planMs;
    let executeMs;
    let result;
    try {
      const started = performance.now();
      const plan = await buildPlan({
        project, engine: 'duckdb', environment: 'prod', selected: new Set(project.assets.keys()),
        pointers: await store.pointers('prod'), versions: await store.versions(),
        describeFiles: async () => [],
      });
      const planned = performance.now();
      result = await executePlan({
        project, plan, engine: NO_OP_ENGINE, store, runId: 'r-bench', command: 'run', selection: [], exclusion: [],
        concurrency: CONCURRENCY, signal: new AbortController().signal,
      });
      const executed = performance.now();
      planMs = planned - started;
      executeMs = executed - planned;
    } finally {
      await store.close();
    }
    if (result.status !== 'succeeded') throw new Error(`the no-op run ended ${result.status}: ${JSON.stringify(result.summary)}`);
    const stats = store.appendStats();
    const totalMs = planMs + executeMs;
    const perStepUs = (totalMs * 1000) / STEPS;

    const baselineTimes = [];
    for (let sample = 0; sample < BASELINE_SAMPLES; sample++) baselineTimes.push(bareInserts(join(dir, `baseline-${sample}.db`), stats.events));
    const baseline = median(baselineTimes);

    log(`  DAG: ${STEPS.toLocaleString('en')} assets, ${edges.toLocaleString('en')} edges (0-${MAX_INPUTS} inputs among the ${INPUT_WINDOW} before), concurrency ${CONCURRENCY}`);
    log(`  plan (buildPlan):            ${formatMs(planMs)}  = ${((planMs * 1000) / STEPS).toFixed(1)} us/step`);
    log(`  execute (scheduler + log):   ${formatMs(executeMs)}  = ${((executeMs * 1000) / STEPS).toFixed(1)} us/step`);
    log(`  total:                       ${formatMs(totalMs)}  = ${perStepUs.toFixed(1)} us/step (target <= 10 us)`);
    log(`  event log: ${stats.events.toLocaleString('en')} events from ${stats.calls.toLocaleString('en')} appends in ${stats.transactions.toLocaleString('en')} SQLite transactions (${(stats.events / stats.transactions).toFixed(1)} events per commit)`);
    log(`  baseline, bare loop inserting ${stats.events.toLocaleString('en')} rows in one transaction: ${formatMs(baseline)} (median of ${BASELINE_SAMPLES})`);
    log(`  -> weir is ${formatRatio(totalMs / baseline)} the baseline`);
    return [
      { bench: 'scheduler', measure: `${STEPS.toLocaleString('en')} no-op steps: us per step`, value: `${perStepUs.toFixed(1)} us`, baseline: formatMs(baseline), ratio: totalMs / baseline, target: '<= 10 us/step' },
      { bench: 'scheduler', measure: 'events per SQLite transaction', value: `${(stats.events / stats.transactions).toFixed(1)}`, baseline: '-', ratio: undefined, target: '> 1 (never one fsync per event)' },
    ];
  });
}

/** The floor: `rows` event-shaped rows written by one prepared statement in one transaction. */
function bareInserts(file, rows) {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = wal');
    db.pragma('synchronous = normal');
    db.exec('create table events (id integer primary key, type text not null, run_id text, asset text, at text not null, payload text not null)');
    const insert = db.prepare('insert into events (id, type, run_id, asset, at, payload) values (?, ?, ?, ?, ?, ?)');
    const started = performance.now();
    db.transaction(() => {
      for (let id = 1; id <= rows; id++) {
        const at = new Date().toISOString();
        const asset = `a${id % STEPS}`;
        insert.run(id, 'step_started', 'r-bench', asset, at, JSON.stringify({ type: 'step_started', at, runId: 'r-bench', asset, version: '0123456789ab', attempt: 1 }));
      }
    })();
    return performance.now() - started;
  } finally {
    db.close();
  }
}

if (isMain(import.meta.url)) {
  await runSchedulerBench();
}
