/**
 * The acceptance scenario of issue #3, end to end inside one process: the real executor, a real
 * DuckDB warehouse and the real SQLite state. A file source is rewritten before each of 33 builds:
 * 30 stable ones (~2,000 rows, ~2% null emails, newest `updated_at` ~1 h old), then one with 40%
 * fewer rows, one with a null-rate jump, one with stale data. SPC must flag exactly the shifted
 * metric of each broken build and nothing before; the `error` spc check must hold back its build
 * while the environment keeps serving the previous version.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, normalFrom } from '../checks/spc/simulated-series.js';
import { openDuckDBAdapter } from '../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import type { CheckResultRecord, StateStore } from '../storage/state-store.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import { runProject } from './run-project.js';
import { spcChartFor } from './spc-chart.js';

const STABLE_BUILDS = 30;
const FEWER_ROWS = 31;
const NULL_JUMP = 32;
const STALE = 33;
const ROWS = 2_000;
const SPC_CHECKS = ['spc_row_count', 'spc_null_rate_email', 'spc_freshness_lag_hours'] as const;
type SpcCheckName = (typeof SPC_CHECKS)[number];

const MODEL = `/*---
materialization: table
checks:
  - spc: { metric: row_count, severity: error }
  - spc: { metric: null_rate, column: email, severity: warn }
  - spc: { metric: freshness_lag_hours, severity: warn }
---*/
select id, email, amount, updated_at from raw_users
`;

/** What one build did, as recorded. */
interface Build {
  build: number;
  rows: number;
  outcome: string | undefined;
  /** The spc checks of `users` that failed, by name. */
  failed: SpcCheckName[];
  checks: CheckResultRecord[];
  /** Rows served by the environment's view of `users` after the build. */
  servedRows: number;
}

/**
 * The CSV of one build. Stable builds: ROWS ± 1% rows, a null rate of 2% ± 0.1 percentage point,
 * the newest `updated_at` 1 h ± 6 min before now. Noise is seeded, so every run sees the same data.
 */
function usersCsv(build: number, normal: () => number): { text: string; rows: number } {
  const stableRows = Math.round(ROWS + 20 * normal());
  const rows = build === FEWER_ROWS ? Math.round(stableRows * 0.6) : stableRows;
  const nullRate = build === NULL_JUMP ? 0.15 : 0.02 + 0.001 * normal();
  const lagHours = build === STALE ? 30 : 1 + 0.1 * normal();
  // The executor measures freshness against its own clock, so the data is dated from the real now.
  const newest = Date.now() - lagHours * 3_600_000;
  const nullEvery = 1 / nullRate;
  const lines = ['id,email,amount,updated_at'];
  let nextNull = nullEvery / 2;
  for (let i = 0; i < rows; i++) {
    const isNull = i + 1 >= nextNull;
    if (isNull) nextNull += nullEvery;
    const updatedAt = new Date(newest - i * 1_000).toISOString().replace('T', ' ').replace('Z', '');
    lines.push(`${i + 1},${isNull ? '' : `user${i + 1}@example.com`},${(i % 97) + 0.5},${updatedAt}`);
  }
  return { text: `${lines.join('\n')}\n`, rows };
}

describe('issue #3 acceptance: 30 stable daily builds, then three broken ones, through the real executor', () => {
  let root: string;
  let engine: EngineAdapter;
  let store: StateStore;
  const builds: Build[] = [];

  async function servedRows(): Promise<number> {
    const session = await engine.session();
    try {
      const [row] = await session.query('SELECT count(*) AS n FROM prod.users');
      return Number(row?.n);
    } finally {
      await session.close();
    }
  }

  beforeAll(async () => {
    root = await writeTempProject({
      'weir.yaml': 'name: spc_scenario\n',
      'sources/s.yaml': 'tables:\n  - name: raw_users\n    path: data/users.csv\n',
      'models/users.sql': MODEL,
      'data/users.csv': '', // rewritten before every build
    });
    engine = await openDuckDBAdapter({ path: join(root, '.weir', 'warehouse.duckdb') });
    store = await openSqliteStateStore(join(root, '.weir', 'state.db'));
    const normal = normalFrom(mulberry32(20_240_301));
    const csv = join(root, 'data', 'users.csv');
    for (let build = 1; build <= STALE; build++) {
      const { text, rows } = usersCsv(build, normal);
      writeFileSync(csv, text);
      // One file per "day": a distinct modification time, so the source is never taken as unchanged.
      const day = new Date(Date.UTC(2024, 0, build));
      utimesSync(csv, day, day);
      const project = await loadProject(root);
      const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
      const result = await runProject({ project, engine, store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal });
      const checks = (await store.checkResults({ runId: result.runId })).filter((check) => check.asset === 'users');
      const failed = checks.filter((check) => !check.passed && (SPC_CHECKS as readonly string[]).includes(check.check)).map((check) => check.check as SpcCheckName);
      builds.push({ build, rows, outcome: result.outcomes.get('users'), failed: failed.sort(), checks, servedRows: await servedRows() });
    }
  }, 300_000);

  afterAll(async () => {
    await engine?.close();
    await store?.close();
    if (root) await removeTempProject(root);
  });

  const build = (n: number): Build => builds[n - 1] as Build;

  it('builds every time: each build records one point per metric', async () => {
    expect(builds.map((b) => b.build)).toEqual(Array.from({ length: STALE }, (_, i) => i + 1));
    for (const metric of ['row_count', 'freshness_lag_hours']) {
      expect(await store.metricSeries({ asset: 'users', metric })).toHaveLength(STALE);
    }
    expect(await store.metricSeries({ asset: 'users', metric: 'null_rate', column: 'email' })).toHaveLength(STALE);
    const rowCounts = (await store.metricSeries({ asset: 'users', metric: 'row_count' })).map((point) => point.value);
    expect(rowCounts).toEqual(builds.map((b) => b.rows));
  });

  it('flags nothing on the 30 stable builds, and publishes each of them', () => {
    for (const b of builds.slice(0, STABLE_BUILDS)) {
      expect({ build: b.build, outcome: b.outcome, failed: b.failed }).toEqual({ build: b.build, outcome: 'succeeded', failed: [] });
      expect(b.checks.map((check) => check.check).sort()).toEqual([...SPC_CHECKS].sort());
      expect(b.servedRows).toBe(b.rows);
    }
    // Judging started after 8 builds: the later stable builds were judged, not just learning.
    expect(build(STABLE_BUILDS).checks.find((check) => check.check === 'spc_row_count')?.detail).toMatch(/is in control/);
  });

  it('40% fewer rows: the error-severity row_count check fails, the build is held back, build 30 stays live', () => {
    const b = build(FEWER_ROWS);
    expect(b.failed).toEqual(['spc_row_count']);
    expect(b.outcome).toBe('blocked');
    expect(b.servedRows).toBe(build(STABLE_BUILDS).rows);
    expect(b.servedRows).not.toBe(b.rows);
    expect(b.checks.find((check) => check.check === 'spc_row_count')?.detail).toMatch(/^rule 1: row_count = \d+ is below the lower control limit/);
  });

  it('null-rate jump: only the warn null_rate check fails, and the build is published', () => {
    const b = build(NULL_JUMP);
    expect(b.failed).toEqual(['spc_null_rate_email']);
    expect(b.outcome).toBe('succeeded');
    expect(b.servedRows).toBe(b.rows);
    expect(b.checks.find((check) => check.check === 'spc_null_rate_email')?.detail).toMatch(/null_rate\(email\) = 0\.1\d* is above the upper control limit/);
  });

  it('stale data: only the freshness check fails, and the build is published', () => {
    const b = build(STALE);
    expect(b.failed).toEqual(['spc_freshness_lag_hours']);
    expect(b.outcome).toBe('succeeded');
    expect(b.servedRows).toBe(b.rows);
  });

  it('records exactly the shifted points as anomalous, so no later baseline takes them in', async () => {
    const anomalousBuilds = async (metric: string, column?: string, asset = 'users'): Promise<number[]> =>
      (await store.metricSeries({ asset, metric, ...(column === undefined ? {} : { column }) })).flatMap((point, index) => (point.anomalous ? [index + 1] : []));
    expect(await anomalousBuilds('row_count')).toEqual([FEWER_ROWS]);
    expect(await anomalousBuilds('null_rate', 'email')).toEqual([NULL_JUMP]);
    expect(await anomalousBuilds('freshness_lag_hours')).toEqual([STALE]);
    // The source is watched by the default monitors (warn): the same builds, nothing else.
    expect(await anomalousBuilds('row_count', undefined, 'raw_users')).toEqual([FEWER_ROWS]);
    expect(await anomalousBuilds('freshness_lag_hours', undefined, 'raw_users')).toEqual([STALE]);
    expect(await anomalousBuilds('null_rate', 'email', 'raw_users')).toEqual([]);
  });

  it('draws the same verdicts on the control charts', async () => {
    const project = await loadProject(root);
    const series = await store.metricSeries({ asset: 'users', metric: 'row_count' });
    const atOf = (n: number): string => series[n - 1]?.at as string;
    const rowCount = await spcChartFor(store, project, 'users', 'row_count');
    expect(rowCount.violations.map((v) => ({ at: v.at, rule: v.rule }))).toEqual([{ at: atOf(FEWER_ROWS), rule: 1 }]);
    expect(rowCount.points.flatMap((point, index) => (point.anomalous ? [index + 1] : []))).toEqual([FEWER_ROWS]);
    expect(rowCount.points[FEWER_ROWS - 1]).toMatchObject({ zone: 'beyond', side: 'below', violations: [1], inBaseline: false });
    expect(rowCount.baseline).toMatchObject({ points: 20, frozen: true, from: atOf(1), to: atOf(20) });
    expect(rowCount.status).toBe('in_control');
    expect(rowCount.points.slice(0, 7).every((point) => point.phase === 'learning')).toBe(true);

    const nullRate = await spcChartFor(store, project, 'users', 'null_rate', 'email');
    expect(nullRate.metric).toBe('null_rate(email)');
    expect(nullRate.points.flatMap((point, index) => (point.violations.length > 0 ? [index + 1] : []))).toEqual([NULL_JUMP]);
    expect(nullRate.status).toBe('in_control');

    const freshness = await spcChartFor(store, project, 'users', 'freshness_lag_hours');
    expect(freshness.points.flatMap((point, index) => (point.violations.length > 0 ? [index + 1] : []))).toEqual([STALE]);
    expect(freshness.status).toBe('out_of_control');
    expect(freshness.config).toMatchObject({ absoluteFloor: 1, relativeFloor: 0.5, direction: 'increase' });
  });
});
