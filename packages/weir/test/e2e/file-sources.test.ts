/**
 * File sources as a user drives them: `load: new_files` loading only new and changed files (and
 * doing nothing when nothing changed), and the bad files a folder of exports meets sooner or
 * later (a header that changes, a malformed line, a gzip cut short, a "Parquet" file that is
 * not, a glob that matches nothing), each failing its step with the file named while the
 * published version stays as it was; and Hive-style partition folders becoming columns.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWeirProject, latestRun, show, stepsByAsset, type LsAssetJson, type RunDetailJson, type WeirTestProject } from './weir-test-project.js';

async function liveVersion(project: WeirTestProject, asset: string): Promise<string | null | undefined> {
  const ls = await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json']);
  return ls.assets.find((one) => one.name === asset)?.version;
}

async function lastStep(project: WeirTestProject, asset: string) {
  const detail = await project.weirJson<RunDetailJson>(['runs', 'show', (await latestRun(project)).runId, '--json']);
  return stepsByAsset(detail.steps).get(asset);
}

async function rowsBySourceFile(project: WeirTestProject, asset: string): Promise<Record<string, number>> {
  const rows = await project.query<{ file: string; n: number }>(`select _weir_source_file as file, count(*) as n from ${asset} group by 1 order by 1`);
  return Object.fromEntries(rows.map((row) => [row.file, Number(row.n)]));
}

/** Writes Parquet files with DuckDB (project-relative path -> SELECT giving the rows). */
async function writeParquet(root: string, files: Record<string, string>): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const [path, select] of Object.entries(files)) {
      const target = join(root, path);
      mkdirSync(dirname(target), { recursive: true });
      await connection.run(`COPY (${select}) TO '${target.replaceAll("'", "''")}' (FORMAT parquet)`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('load: new_files', () => {
  let project: WeirTestProject;
  beforeAll(async () => {
    project = await createWeirProject({
      'weir.yaml': 'name: exports\n',
      'sources/files.yaml': `tables:
  - name: orders
    path: data/orders/*.csv
    load: new_files
    checks:
      - not_null: id
`,
      'data/orders/2026-11-01.csv': 'id,amount\n1,1.50\n2,2.50\n',
      'data/orders/2026-11-02.csv': 'id,amount\n3,3.50\n',
    });
  });
  afterAll(async () => project?.cleanup());

  it('the first run loads every file, each row naming its file; a run with nothing new rebuilds nothing', async () => {
    const first = await project.weir(['run']);
    expect(first.code, show(first)).toBe(0);
    expect(first.stdout).toContain('orders: 2 new file(s), 0 changed, 0 unchanged: 3 row(s) loaded');
    expect(await rowsBySourceFile(project, 'orders')).toEqual({ 'data/orders/2026-11-01.csv': 2, 'data/orders/2026-11-02.csv': 1 });

    const again = await project.weir(['run']);
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toContain('= orders  unchanged');
    expect(await lastStep(project, 'orders')).toMatchObject({ status: 'skipped', skipReason: 'unchanged' });
  });

  it('a new file is loaded alone; a changed file replaces its rows; a touched one is not read again', async () => {
    project.write({ 'data/orders/2026-11-03.csv': 'id,amount\n4,4.50\n5,5.50\n' });
    const added = await project.weir(['run']);
    expect(added.code, show(added)).toBe(0);
    expect(added.stdout).toContain('orders: 1 new file(s), 0 changed, 2 unchanged: 2 row(s) loaded');

    project.write({ 'data/orders/2026-11-01.csv': 'id,amount\n1,1.75\n' });
    const later = new Date(Date.now() + 120_000);
    utimesSync(join(project.root, 'data/orders/2026-11-02.csv'), later, later);
    const changed = await project.weir(['run']);
    expect(changed.code, show(changed)).toBe(0);
    expect(changed.stdout).toContain('orders: 0 new file(s), 1 changed, 2 unchanged: 1 row(s) loaded; rows replaced for data/orders/2026-11-01.csv');
    expect(await rowsBySourceFile(project, 'orders')).toEqual({ 'data/orders/2026-11-01.csv': 1, 'data/orders/2026-11-02.csv': 1, 'data/orders/2026-11-03.csv': 2 });
    expect(await project.query('select id, amount from orders order by id')).toEqual([
      { id: 1, amount: 1.75 },
      { id: 3, amount: 3.5 },
      { id: 4, amount: 4.5 },
      { id: 5, amount: 5.5 },
    ]);
  });

  it('a file whose header changed is refused, naming the file and the columns; the published version stays', async () => {
    const before = await liveVersion(project, 'orders');
    project.write({ 'data/orders/2026-11-04.csv': 'id,total,currency\n6,6.50,EUR\n' });
    const refused = await project.weir(['run']);
    expect(refused.code, show(refused)).toBe(1);
    expect(refused.stdout).toMatch(/orders +failed: .*cannot load data\/orders\/2026-11-04\.csv: its columns differ from those of orders \(missing amount; not in the table: total, currency\)/);
    expect(await lastStep(project, 'orders')).toMatchObject({ status: 'failed', error: expect.objectContaining({ code: 'SOURCE_READ_FAILED', file: 'data/orders/2026-11-04.csv' }) });
    expect(await liveVersion(project, 'orders')).toBe(before);
    expect(Object.keys(await rowsBySourceFile(project, 'orders'))).not.toContain('data/orders/2026-11-04.csv');
    project.remove('data/orders/2026-11-04.csv');
  });

  it('a malformed line in a new file fails with the file and line; nothing of that file is loaded', async () => {
    const before = await liveVersion(project, 'orders');
    // Line 3 has three fields under a header of two.
    project.write({ 'data/orders/2026-11-05.csv': 'id,amount\n7,7.50\n8,8.50,extra\n9,9.50\n' });
    const failed = await project.weir(['run']);
    expect(failed.code, show(failed)).toBe(1);
    expect(failed.stdout).toMatch(/orders +failed: data\/orders\/2026-11-05\.csv:3: cannot read data\/orders\/2026-11-05\.csv: .*Expected Number of Columns: 2 Found: 3/);
    expect(await lastStep(project, 'orders')).toMatchObject({ error: expect.objectContaining({ code: 'SOURCE_READ_FAILED', line: 3 }) });
    expect(await liveVersion(project, 'orders')).toBe(before);
    project.remove('data/orders/2026-11-05.csv');
  });

  it('a deleted file keeps its rows by default, and the run says so', async () => {
    project.remove('data/orders/2026-11-02.csv');
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout).toContain('gone but rows kept (on_deleted_file: keep): data/orders/2026-11-02.csv');
    expect(await rowsBySourceFile(project, 'orders')).toMatchObject({ 'data/orders/2026-11-02.csv': 1 });
    const again = await project.weir(['run']);
    expect(again.stdout).toContain('= orders  unchanged');
  });
});

describe('bad files', () => {
  let project: WeirTestProject | undefined;
  afterEach(async () => {
    await project?.cleanup();
    project = undefined;
  });

  it('load: all: a file whose header differs from the others fails, naming it and the columns; the published version stays', async () => {
    project = await createWeirProject({
      'weir.yaml': 'name: exports\n',
      'sources/files.yaml': 'tables:\n  - name: orders\n    path: data/*.csv\n',
      'data/a.csv': 'id,amount\n1,1.50\n',
    });
    expect((await project.weir(['run'])).code).toBe(0);
    const before = await liveVersion(project, 'orders');
    project.write({ 'data/b.csv': 'id,total\n2,2.50\n' });
    const failed = await project.weir(['run']);
    expect(failed.code, show(failed)).toBe(1);
    expect(failed.stdout).toMatch(/orders +failed: data\/b\.csv: cannot read data\/b\.csv: its columns differ from those of data\/a\.csv \(missing amount; not in data\/a\.csv: total\)/);
    expect(await liveVersion(project, 'orders')).toBe(before);
    expect(await project.query('select * from orders')).toEqual([{ id: 1, amount: 1.5 }]);
  });

  it('a gzip file cut short fails the load instead of loading the rows before the cut', async () => {
    const csv = `id,amount\n${Array.from({ length: 4000 }, (_, index) => `${index},${index}.25`).join('\n')}\n`;
    const packed = gzipSync(csv);
    project = await createWeirProject({ 'weir.yaml': 'name: exports\n', 'sources/files.yaml': 'tables:\n  - name: orders\n    path: data/*.csv.gz\n' });
    mkdirSync(join(project.root, 'data'));
    writeFileSync(join(project.root, 'data/a.csv.gz'), packed);
    expect((await project.weir(['run'])).code).toBe(0);
    const before = await liveVersion(project, 'orders');
    writeFileSync(join(project.root, 'data/b.csv.gz'), packed.subarray(0, 1200));
    const failed = await project.weir(['run']);
    expect(failed.code, show(failed)).toBe(1);
    expect(failed.stdout).toMatch(/orders +failed: data\/b\.csv\.gz: cannot read data\/b\.csv\.gz: the gzip data is truncated or corrupt/);
    expect(await liveVersion(project, 'orders')).toBe(before);
    expect(Number((await project.query<{ n: number }>('select count(*) as n from orders'))[0]?.n)).toBe(4000);
  });

  it('a .parquet file that is not Parquet fails naming the file; nothing is published', async () => {
    project = await createWeirProject({
      'weir.yaml': 'name: exports\n',
      'sources/files.yaml': 'tables:\n  - name: events\n    path: data/*.parquet\n',
      'data/b.parquet': 'id,amount\n1,2\n',
    });
    await writeParquet(project.root, { 'data/a.parquet': 'select 1 as id' });
    const failed = await project.weir(['run']);
    expect(failed.code, show(failed)).toBe(1);
    expect(failed.stdout).toMatch(/events +failed: data\/b\.parquet: cannot read data\/b\.parquet: not a Parquet file \(or cut short\)/);
    expect(await lastStep(project, 'events')).toMatchObject({ error: expect.objectContaining({ code: 'SOURCE_READ_FAILED', file: 'data/b.parquet' }) });
    expect(await liveVersion(project, 'events')).toBeNull();
  });

  it('a glob that matches nothing fails with the glob named, under both load modes', async () => {
    project = await createWeirProject({
      'weir.yaml': 'name: exports\n',
      'sources/files.yaml': 'tables:\n  - name: incoming\n    path: data/incoming/*.csv\n  - name: incoming_new\n    path: data/incoming/*.csv\n    load: new_files\n',
    });
    const failed = await project.weir(['run']);
    expect(failed.code, show(failed)).toBe(1);
    expect(failed.stdout).toMatch(/incoming +failed: sources\/files\.yaml:2: incoming: no file matches data\/incoming\/\*\.csv/);
    expect(failed.stdout).toMatch(/incoming_new +failed: sources\/files\.yaml:4: incoming_new: no file matches data\/incoming\/\*\.csv, and nothing was loaded before/);
    expect(await liveVersion(project, 'incoming')).toBeNull();
  });
});

describe('Hive-style partition folders', () => {
  let project: WeirTestProject | undefined;
  afterAll(async () => project?.cleanup());

  it('become columns, under load: all and load: new_files alike', async () => {
    project = await createWeirProject({
      'weir.yaml': 'name: exports\n',
      'sources/files.yaml': `tables:
  - name: orders
    path: data/orders/**/*.parquet
  - name: orders_new
    path: data/orders/**/*.parquet
    load: new_files
`,
    });
    await writeParquet(project.root, {
      'data/orders/year=2026/month=10/part-0.parquet': 'select 1 as id, 10.5 as amount',
      'data/orders/year=2026/month=11/part-0.parquet': 'select 2 as id, 20.5 as amount union all select 3, 30.5',
    });
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(0);
    for (const asset of ['orders', 'orders_new']) {
      expect(await project.query(`select id, year, month from ${asset} order by id`), asset).toEqual([
        { id: 1, year: 2026, month: 10 },
        { id: 2, year: 2026, month: 11 },
        { id: 3, year: 2026, month: 11 },
      ]);
    }
    await writeParquet(project.root, { 'data/orders/year=2026/month=12/part-0.parquet': 'select 4 as id, 40.5 as amount' });
    const next = await project.weir(['run', '--select', 'orders_new']);
    expect(next.code, show(next)).toBe(0);
    expect(next.stdout).toContain('orders_new: 1 new file(s), 0 changed, 2 unchanged: 1 row(s) loaded');
    expect(await project.query('select id, month, _weir_source_file as file from orders_new where id = 4')).toEqual([
      { id: 4, month: 12, file: 'data/orders/year=2026/month=12/part-0.parquet' },
    ]);
  });
});
