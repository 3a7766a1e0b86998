/**
 * Partitioned TypeScript assets with the weir binary: `weir backfill <ts asset> --from --to` in
 * its own process, handed to `weir serve`, and through the queue to a `weir worker` on
 * PostgreSQL; `weir run --partition` rebuilding one day; a row outside its partition failing it
 * (exit 1, naming the asset and partition, the published day unchanged); a bad `partitionedBy`
 * (exit 2, naming the file).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../../core/src/testing/services.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

interface Reading {
  at: string;
  value: number;
}

const readings: Reading[] = [
  { at: '2026-02-28T12:00:00Z', value: 100 },
  { at: '2026-03-01T08:00:00Z', value: 1 },
  { at: '2026-03-01T09:00:00Z', value: 2 },
  { at: '2026-03-02T10:00:00Z', value: 3 },
  { at: '2026-03-03T06:00:00Z', value: 4 },
];

/**
 * Stands for an API asked for one window, read from the feed file; it keeps readings in [start,
 * end], inclusive, the off-by-one a reading at midnight exposes.
 */
const asset = (feed: string): string => `import { readFileSync } from 'node:fs';
import { defineAsset } from 'weir';

export const daily_readings = defineAsset({
  partitionedBy: { column: 'day', granularity: 'day', start: '2026-03-01', end: '2026-03-31' },
  columns: { day: 'DATE', readings: 'BIGINT', total: 'DOUBLE' },
  checks: [{ not_null: 'total' }],
  run(ctx) {
    const window = ctx.partition;
    if (window?.kind !== 'time') throw new Error('expected a time partition');
    const slice = JSON.parse(readFileSync(${JSON.stringify(feed)}, 'utf8')).filter((r) => new Date(r.at) >= window.start && new Date(r.at) <= window.end);
    ctx.log(\`\${slice.length} reading(s) between \${window.startIso} and \${window.endIso}\`);
    const days = new Map();
    for (const r of slice) {
      const day = r.at.slice(0, 10);
      const seen = days.get(day) ?? { day, readings: 0, total: 0 };
      days.set(day, { day, readings: seen.readings + 1, total: seen.total + r.value });
    }
    return [...days.values()];
  },
});
`;

const projects: WeirTestProject[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const project of projects) await project.cleanup();
  for (const database of databases) await database.drop();
});

/** A project with the feed and the asset; `weirYaml` sets the warehouse and state. */
async function newProject(weirYaml = 'name: ts_parts\n'): Promise<{ project: WeirTestProject; setFeed(extra: Reading[], scale?: number): void }> {
  const project = await createWeirProject({ 'weir.yaml': weirYaml, 'feed/readings.json': JSON.stringify(readings) });
  projects.push(project);
  const feed = join(project.root, 'feed/readings.json');
  project.write({ 'models/daily_readings.ts': asset(feed) });
  const setFeed = (extra: Reading[], scale = 1) => project.write({ 'feed/readings.json': JSON.stringify([...readings.map((r) => ({ ...r, value: r.value * scale })), ...extra]) });
  return { project, setFeed };
}

async function served(project: WeirTestProject): Promise<string[]> {
  const rows = await project.query<{ day: string; readings: number; total: number }>('select cast(day as varchar) as day, readings, total from daily_readings order by day');
  return rows.map((row) => `${row.day} ${Number(row.readings)} ${Number(row.total)}`);
}

describe('partitioned TypeScript assets with the weir binary', () => {
  it('backfills a range in-process, rebuilds one day with --partition, and refuses rows outside a partition', async () => {
    const { project, setFeed } = await newProject();
    const preview = await project.weir(['backfill', 'daily_readings', '--from', '2026-03-01', '--to', '2026-03-03', '--dry-run']);
    expect(preview.code, show(preview)).toBe(0);
    expect(preview.stdout).toContain('3 task(s) (1 asset(s) x partitions): 0 already done with the current version, 3 to build');

    const backfill = await project.weir(['backfill', 'daily_readings', '--from', '2026-03-01', '--to', '2026-03-03', '--concurrency', '2']);
    expect(backfill.code, show(backfill)).toBe(0);
    expect(backfill.stdout).toMatch(/backfill bf-\S+ succeeded: 3\/3 done/);
    expect(await served(project)).toEqual(['2026-03-01 2 3', '2026-03-02 1 3', '2026-03-03 1 4']);

    setFeed([], 10);
    const one = await project.weir(['run', '--partition', '2026-03-02']);
    expect(one.code, show(one)).toBe(0);
    expect(await served(project)).toEqual(['2026-03-01 2 3', '2026-03-02 1 30', '2026-03-03 1 4']);

    // A reading at midnight: the inclusive end hands 2026-03-02's build a row of 2026-03-03.
    setFeed([{ at: '2026-03-03T00:00:00Z', value: 7 }], 10);
    const stray = await project.weir(['run', '--partition', '2026-03-02']);
    expect(stray.code, show(stray)).toBe(1);
    expect(stray.stdout).toContain('models/daily_readings.ts:4: daily_readings: 1 row(s) returned for partition 2026-03-02 are outside it (day: 2026-03-03)');
    expect(await served(project)).toEqual(['2026-03-01 2 3', '2026-03-02 1 30', '2026-03-03 1 4']);
    const failed = await project.weir(['backfill', 'daily_readings', '--from', '2026-03-02', '--to', '2026-03-02', '--rebuild']);
    expect(failed.code, show(failed)).toBe(1);
    expect(failed.stdout).toContain('failed: daily_readings 2026-03-02');
  });

  it('hands the backfill to weir serve, which builds the partitions', async () => {
    const { project } = await newProject();
    const server = project.spawnWeir(['serve', '--port', '0']);
    await server.waitForOutput(/weir serve: project \S+ .* at http:\/\/127\.0\.0\.1:\d+/);
    const backfill = await project.weir(['backfill', 'daily_readings', '--from', '2026-03-01', '--to', '2026-03-03']);
    expect(backfill.code, show(backfill)).toBe(0);
    expect(backfill.stdout).toContain(`handed to weir serve (pid ${server.pid})`);
    expect(backfill.stdout).toMatch(/succeeded: 3\/3 done/);
    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(await served(project)).toEqual(['2026-03-01 2 3', '2026-03-02 1 3', '2026-03-03 1 4']);
  });

  it('names the file for a bad partitionedBy (exit 2)', async () => {
    const { project } = await newProject();
    project.write({ 'models/daily_readings.ts': asset('feed.json').replace("granularity: 'day'", "granularity: 'week'") });
    const result = await project.weir(['backfill', 'daily_readings', '--from', '2026-03-01', '--to', '2026-03-03']);
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr).toMatch(/models\/daily_readings\.ts:4: .*daily_readings\.partitionedBy\.granularity.*expected one of hour, day, month/);
  });
});

await describeWithService(postgresService, 'partitioned TypeScript assets in team mode', () => {
  it('a weir worker builds the partitions queued by weir backfill --workers, on PostgreSQL', async () => {
    const warehouse = await createTestDatabase('weir_ts_parts_wh');
    databases.push(warehouse);
    const state = await createTestDatabase('weir_ts_parts_state');
    databases.push(state);
    const { project } = await newProject(`name: ts_parts\nwarehouse:\n  engine: postgres\n  url: ${warehouse.url}\nstate:\n  store: postgres\n  url: ${state.url}\n`);
    const worker = project.spawnWeir(['worker', '--id', 'w1', '--lease', '2']);
    await worker.waitForOutput('ready (project ts_parts');
    const backfill = await project.weir(['backfill', 'daily_readings', '--from', '2026-03-01', '--to', '2026-03-03', '--workers']);
    expect(backfill.code, show(backfill)).toBe(0);
    expect(backfill.stdout).toContain('3 partition job(s) queued for weir worker processes');
    expect(backfill.stdout).toMatch(/succeeded: 3\/3 done/);
    worker.kill('SIGTERM');
    await worker.exited;
    expect(await served(project)).toEqual(['2026-03-01 2 3', '2026-03-02 1 3', '2026-03-03 1 4']);
  });
});
