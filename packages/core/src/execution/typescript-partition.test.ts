/**
 * Partitioned TypeScript assets on real DuckDB and SQLite: each partition's `run` sees its window
 * in `ctx.partition`, and its rows are staged, checked and published over only its slice; a row
 * outside the window fails the partition and leaves the published one as it was; failed attempts
 * are retried; a backfill builds the range.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countTasks, planBackfill } from '../backfill/plan-backfill.js';
import { requestBackfill } from '../backfill/request-backfill.js';
import { runBackfill } from '../backfill/run-backfill.js';
import type { StoredEvent } from '../events/weir-event.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { closeProjectHarness, openProjectHarness, type ProjectHarness } from '../testing/project-harness.js';
import { acquireProjectLock } from './project-lock.js';
import { runLockPath, runProject } from './run-project.js';

interface Reading {
  at: string;
  sensor: string;
  value: number;
}

const readings: Reading[] = [
  { at: '2026-02-28T12:00:00Z', sensor: 'a', value: 100 },
  { at: '2026-03-01T08:00:00Z', sensor: 'a', value: 1 },
  { at: '2026-03-01T09:30:00Z', sensor: 'b', value: 2 },
  { at: '2026-03-02T10:00:00Z', sensor: 'a', value: 3 },
  { at: '2026-03-02T23:59:00Z', sensor: 'a', value: 4 },
  { at: '2026-03-03T06:00:00Z', sensor: 'b', value: 5 },
];

/**
 * The asset stands for an API asked for one window: it reads the feed file and keeps readings in
 * [start, end] (inclusive: the off-by-one a reading at midnight exposes). `flaky` fails the
 * first attempt of each build once, as a timed-out request would.
 */
const asset = (feed: string, options: { retries?: number; flaky?: boolean } = {}): string => `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { defineAsset } from 'weir';

export const daily_readings = defineAsset({
  partitionedBy: { column: 'day', granularity: 'day', start: '2026-03-01', end: '2026-03-04' },
  columns: { day: 'DATE', sensor: 'VARCHAR', total: 'DOUBLE', window_start: 'VARCHAR' },
  checks: [{ expression: { sql: 'total >= 0', name: 'total_not_negative' } }],
  retries: ${options.retries ?? 0},
  run(ctx) {
    const partition = ctx.partition;
    if (partition?.kind !== 'time') throw new Error('expected a time partition');
    const flag = ${JSON.stringify(`${feed}.failed-once`)};
    if (${options.flaky === true} && !existsSync(flag)) {
      writeFileSync(flag, 'x');
      throw new Error('the feed timed out');
    }
    const feed = JSON.parse(readFileSync(${JSON.stringify(feed)}, 'utf8'));
    const slice = feed.filter((reading) => new Date(reading.at) >= partition.start && new Date(reading.at) <= partition.end);
    ctx.log(\`fetched \${slice.length} reading(s) for \${partition.key}\`);
    const totals = new Map();
    for (const reading of slice) {
      const key = reading.at.slice(0, 10) + '|' + reading.sensor;
      totals.set(key, (totals.get(key) ?? 0) + reading.value);
    }
    return [...totals].map(([key, total]) => ({ day: key.split('|')[0], sensor: key.split('|')[1], total, window_start: partition.startIso }));
  },
});
`;

const opened: ProjectHarness[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) await closeProjectHarness(h);
});

async function setup(options: { retries?: number; flaky?: boolean } = {}) {
  const h = await openProjectHarness({ 'feed/readings.json': JSON.stringify(readings) });
  opened.push(h);
  const feed = join(h.root, 'feed/readings.json');
  mkdirSync(join(h.root, 'models'));
  writeFileSync(join(h.root, 'models/daily_readings.ts'), asset(feed, options));
  const project = await loadProject(h.root);
  const run = async (partition?: string) => {
    const current = await loadProject(h.root);
    const selected = selectAssets(buildAssetGraph(current), current, { select: [], exclude: [] });
    return runProject({ project: current, engine: h.engine, store: h.store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal, ...(partition ? { partition } : {}) });
  };
  const served = async (): Promise<string[]> => {
    const session = await h.engine.session();
    try {
      const rows = await session.query(`SELECT CAST(day AS VARCHAR) AS day, sensor, total, window_start FROM "${project.environment}".daily_readings ORDER BY day, sensor`);
      return rows.map((row) => `${String(row.day)} ${String(row.sensor)} ${Number(row.total)} ${String(row.window_start)}`);
    } finally {
      await session.close();
    }
  };
  const feedWith = (extra: Reading[], change: (reading: Reading) => Reading = (reading) => reading) => writeFileSync(feed, JSON.stringify([...readings.map(change), ...extra]));
  return { h, project, run, served, feedWith, feed };
}

const ofType = <T extends StoredEvent['type']>(events: StoredEvent[], type: T) => events.filter((event): event is Extract<StoredEvent, { type: T }> => event.type === type);

describe('partitioned TypeScript assets', () => {
  it('builds three partitions, each run seeing its window and replacing only its slice', async () => {
    const { h, run, served, feedWith } = await setup();
    // Without --partition the asset is left alone.
    expect((await run()).status).toBe('succeeded');
    expect(ofType(await h.store.events({}), 'partition_started')).toHaveLength(0);
    for (const day of ['2026-03-01', '2026-03-02', '2026-03-03']) expect((await run(day)).status, day).toBe('succeeded');
    expect(await served()).toEqual([
      '2026-03-01 a 1 2026-03-01T00:00:00.000Z',
      '2026-03-01 b 2 2026-03-01T00:00:00.000Z',
      '2026-03-02 a 7 2026-03-02T00:00:00.000Z',
      '2026-03-03 b 5 2026-03-03T00:00:00.000Z',
    ]);
    // New readings for every day; only the partition rebuilt takes them.
    feedWith([], (reading) => ({ ...reading, value: reading.value * 10 }));
    expect((await run('2026-03-02')).status).toBe('succeeded');
    expect(await served()).toEqual([
      '2026-03-01 a 1 2026-03-01T00:00:00.000Z',
      '2026-03-01 b 2 2026-03-01T00:00:00.000Z',
      '2026-03-02 a 70 2026-03-02T00:00:00.000Z',
      '2026-03-03 b 5 2026-03-03T00:00:00.000Z',
    ]);
    const events = await h.store.events({});
    expect(ofType(events, 'partition_published').map((event) => `${event.partition} ${event.rows}`)).toEqual(['2026-03-01 2', '2026-03-02 1', '2026-03-03 1', '2026-03-02 1']);
    // Checks and metrics are recorded per partition, as for SQL models.
    const checked = ofType(events, 'check_evaluated').filter((event) => event.check === 'total_not_negative');
    expect(checked.map((event) => event.partition)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-02']);
    expect(ofType(events, 'metrics_measured').every((event) => event.partition !== undefined)).toBe(true);
    expect((await h.store.partitions({ asset: 'daily_readings' })).map((row) => `${row.partition} ${row.status}`).sort()).toEqual(['2026-03-01 published', '2026-03-02 published', '2026-03-03 published']);
  });

  it('fails a partition whose rows stray outside its window, naming the asset and partition, and keeps its published rows', async () => {
    const { h, run, served, feedWith } = await setup();
    for (const day of ['2026-03-02', '2026-03-03']) expect((await run(day)).status).toBe('succeeded');
    const before = await served();
    // A reading at midnight: the inclusive end hands 2026-03-02's build a row of 2026-03-03.
    feedWith([{ at: '2026-03-03T00:00:00Z', sensor: 'c', value: 9 }]);
    const logged = (await h.store.events({})).length;
    const result = await run('2026-03-02');
    expect(result.status).toBe('failed');
    const events = await h.store.events({ afterId: logged });
    const [failed] = ofType(events, 'step_failed');
    expect(failed?.error).toMatchObject({ code: 'USER_CODE_FAILED', file: 'models/daily_readings.ts', line: 4 });
    expect(failed?.error.message).toBe('daily_readings: 1 row(s) returned for partition 2026-03-02 are outside it (day: 2026-03-03); the partition holds 2026-03-02 00:00:00 <= day < 2026-03-03 00:00:00');
    expect(ofType(events, 'partition_failed')).toMatchObject([{ partition: '2026-03-02', status: 'failed' }]);
    expect(ofType(events, 'partition_published')).toHaveLength(0);
    expect(await served()).toEqual(before);
    // Nothing staged is left behind.
    const session = await h.engine.session();
    try {
      expect(await session.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'weir_staging'")).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it('holds a partition back when an error check fails on its slice', async () => {
    const { h, run, served, feedWith } = await setup();
    expect((await run('2026-03-01')).status).toBe('succeeded');
    const before = await served();
    feedWith([{ at: '2026-03-01T12:00:00Z', sensor: 'b', value: -50 }]);
    expect((await run('2026-03-01')).status).toBe('failed');
    const failed = ofType(await h.store.events({}), 'partition_failed');
    expect(failed).toMatchObject([{ partition: '2026-03-01', status: 'blocked' }]);
    expect(failed[0]?.detail).toContain('total_not_negative');
    expect(await served()).toEqual(before);
  });

  it('retries a failed attempt as the asset\'s retries say', async () => {
    const { h, run, served, feed } = await setup({ retries: 1, flaky: true });
    expect((await run('2026-03-01')).status).toBe('succeeded');
    expect(existsSync(`${feed}.failed-once`)).toBe(true);
    const events = await h.store.events({});
    expect(ofType(events, 'step_retrying')).toMatchObject([{ asset: 'daily_readings', attempt: 1, error: { message: expect.stringContaining('the feed timed out') } }]);
    expect(ofType(events, 'partition_published')).toMatchObject([{ partition: '2026-03-01', rows: 2 }]);
    expect(await served()).toHaveLength(2);
  });

  it('backfills the range, two partitions at a time, then finds every partition done', async () => {
    const { h, project, served } = await setup();
    const selected = selectAssets(buildAssetGraph(project), project, { select: ['daily_readings'], exclude: [] });
    const preview = async () => planBackfill({ project, engine: h.engine.kind, selected, from: '2026-03-01', to: '2026-03-03', partitions: await h.store.partitions({}), runIsLive: () => false });
    expect((await preview()).assets).toMatchObject([{ asset: 'daily_readings', partitions: ['2026-03-01', '2026-03-02', '2026-03-03'] }]);
    const backfill = await requestBackfill(h.store, await preview(), { environment: project.environment, selection: ['daily_readings'], from: '2026-03-01', to: '2026-03-03', concurrency: 2 });
    const lock = await acquireProjectLock(runLockPath(project), backfill.backfillId, { wait: true });
    try {
      const result = await runBackfill({ project, engine: h.engine, store: h.store, lock, backfill, mode: 'run', concurrency: 2, signal: new AbortController().signal });
      expect(result).toMatchObject({ status: 'succeeded', ran: 3, summary: { done: 3, failed: 0, missing: 0 } });
    } finally {
      lock.release();
    }
    expect(countTasks((await preview()).tasks).done).toBe(3);
    expect(await served()).toHaveLength(4);
  });
});
