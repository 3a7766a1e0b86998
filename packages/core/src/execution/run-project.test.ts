/**
 * The executor end to end inside one process: real DuckDB warehouse, real SQLite state, projects
 * written to disk and loaded by the real loader.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WeirEvent } from '../events/weir-event.js';
import { openSqliteStateStore } from '../storage/sqlite/open-sqlite-state-store.js';
import { collectGarbage } from './collect-garbage.js';
import { recoverCrashedRuns } from './recover-crashed-runs.js';
import { rollbackAsset } from './rollback-asset.js';
import { closeProjectHarness, openProjectHarness, runHarness, type HarnessRunOptions, type ProjectHarness } from '../testing/project-harness.js';

type Harness = ProjectHarness;
const open: Harness[] = [];

async function harness(files: Record<string, string>): Promise<Harness> {
  const made = await openProjectHarness(files);
  open.push(made);
  return made;
}

afterEach(async () => {
  for (const made of open.splice(0)) await closeProjectHarness(made);
});

const run = (h: Harness, options: HarnessRunOptions = {}) => runHarness(h, options);

async function count(h: Harness, relation: string): Promise<number> {
  const session = await h.engine.session();
  try {
    const [row] = await session.query(`SELECT count(*) AS n FROM ${relation}`);
    return Number(row?.n);
  } finally {
    await session.close();
  }
}

describe('incremental models', () => {
  const model = `/*---
materialization: incremental
incremental: { strategy: merge, unique_key: id, cursor: updated_at }
checks:
  - not_null: id
  - unique: id
---*/
select id, value, updated_at from raw_events`;

  it('merges only rows beyond the cursor into a copy of the previous version, which stays intact', async () => {
    const h = await harness({
      'data/events.csv': 'id,value,updated_at\n1,a,1\n2,b,2\n',
      'sources/s.yaml': 'tables:\n  - name: raw_events\n    path: data/events.csv\n',
      'models/events.sql': model,
    });
    const first = await run(h);
    expect(first.status).toBe('succeeded');
    const firstVersion = first.plan.steps.find((step) => step.asset.name === 'events')!.version;
    // Row 2 changes (newer cursor), row 3 is new, row 1 is re-sent with an old cursor and is ignored,
    // row 4 arrives at the previous maximum cursor (2) and is still taken: a merge re-reads the boundary.
    writeFileSync(join(h.root, 'data/events.csv'), 'id,value,updated_at\n1,IGNORED,1\n2,B,3\n3,c,4\n4,d,2\n');
    const second = await run(h);
    expect(second.status).toBe('succeeded');
    const step = second.plan.steps.find((candidate) => candidate.asset.name === 'events')!;
    expect(step.basedOn).toBe(firstVersion);
    const session = await h.engine.session();
    const rows = await session.query('SELECT id, value FROM prod.events ORDER BY id');
    const old = await session.query(`SELECT id, value FROM weir_versions."events__${firstVersion}" ORDER BY id`);
    await session.close();
    expect(rows).toEqual([{ id: 1, value: 'a' }, { id: 2, value: 'B' }, { id: 3, value: 'c' }, { id: 4, value: 'd' }]);
    expect(old).toEqual([{ id: 1, value: 'a' }, { id: 2, value: 'b' }]);
    const third = await run(h);
    expect(third.plan.steps.find((candidate) => candidate.asset.name === 'events')?.action).toBe('unchanged');
  });

  it('drops the staged rows when a check cannot even be evaluated', async () => {
    const h = await harness({
      'data/events.csv': 'id,value,updated_at\n1,a,1\n',
      'sources/s.yaml': 'tables:\n  - name: raw_events\n    path: data/events.csv\n',
      'models/events.sql': model.replace('  - unique: id', '  - expression: "no_such_column > 0"'),
    });
    const result = await run(h);
    expect(result.outcomes.get('events')).toBe('failed');
    expect((await h.store.steps(result.runId)).find((step) => step.asset === 'events')?.error?.message).toContain('no_such_column');
    expect(await h.engine.listRelations('weir_staging')).toEqual([]);
  });

  it('checks the staged rows before the merge and merges nothing when they fail', async () => {
    const h = await harness({
      'data/events.csv': 'id,value,updated_at\n1,a,1\n',
      'sources/s.yaml': 'tables:\n  - name: raw_events\n    path: data/events.csv\n',
      'models/events.sql': model,
    });
    await run(h);
    writeFileSync(join(h.root, 'data/events.csv'), 'id,value,updated_at\n1,a,1\n,x,5\n');
    const events: WeirEvent[] = [];
    const result = await run(h, { onEvent: (event) => events.push(event) });
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('events')).toBe('blocked');
    expect(events.some((event) => event.type === 'check_evaluated' && event.check === 'not_null_id' && !event.passed && event.failingRows === 1)).toBe(true);
    expect(await count(h, 'prod.events')).toBe(1);
    // The staging table was dropped; no half-merged version was left behind.
    expect((await h.engine.listRelations('weir_staging')).length).toBe(0);
  });
});

describe('models as people write them', () => {
  it('binds columns qualified by an input name that has no alias, in tables and views', async () => {
    const h = await harness({
      'data/t.csv': 'id,v\n1,a\n2,b\n',
      'sources/s.yaml': 'tables:\n  - name: raw_t\n    path: data/t.csv\n',
      'models/t.sql': 'select raw_t.id, raw_t.* exclude (id) from raw_t where raw_t.id > 1',
      'models/t_view.sql': '/*---\nmaterialization: view\n---*/\nselect t.v, count(*) as n from t group by t.v',
    });
    const result = await run(h);
    expect(result.status).toBe('succeeded');
    const session = await h.engine.session();
    expect(await session.query('SELECT * FROM prod.t_view')).toEqual([{ v: 'b', n: 1 }]);
    await session.close();
  });
});

describe('a warehouse changed behind Weir\'s back', () => {
  it('publishes an unchanged asset again when its view was dropped, without rebuilding it', async () => {
    const h = await harness({ 'models/a.sql': 'select 1 as x' });
    const first = await run(h);
    await h.engine.drop({ schema: 'prod', name: 'a' }, 'view');
    const events: WeirEvent[] = [];
    const second = await run(h, { onEvent: (event) => events.push(event) });
    expect(second.outcomes.get('a')).toBe('succeeded');
    expect(events.some((event) => event.type === 'asset_materialized')).toBe(false);
    expect(events.find((event) => event.type === 'asset_published')).toMatchObject({ reason: 'reuse', version: first.plan.steps[0]?.version });
    expect(await count(h, 'prod.a')).toBe(1);
  });

  it('builds a version again when its physical table is gone', async () => {
    const h = await harness({ 'models/a.sql': 'select 1 as x' });
    const first = await run(h);
    const version = first.plan.steps[0]!.version;
    await h.engine.drop({ schema: 'prod', name: 'a' }, 'view');
    await h.engine.drop({ schema: 'weir_versions', name: `a__${version}` }, 'table');
    const second = await run(h);
    expect(second.outcomes.get('a')).toBe('succeeded');
    expect(await count(h, 'prod.a')).toBe(1);
  });
});

describe('a crash between the warehouse and the record', () => {
  it('republishes when a view serves a version the state does not point at, and gc never drops the served table', async () => {
    const h = await harness({ 'models/a.sql': 'select 1 as x' });
    const first = await run(h);
    const version = first.plan.steps[0]!.version;
    // As if a run switched the view, then died before recording it.
    const stray = { schema: 'weir_versions', name: 'a__0123456789ab' };
    await h.engine.createTableAs(stray, 'SELECT 6 AS x');
    await h.engine.pointView({ schema: 'prod', name: 'a' }, stray);
    const dryRun = await collectGarbage({ engine: h.engine, store: h.store, environments: ['prod'], retainVersions: 0, dryRun: true });
    expect(dryRun.map((item) => item.relation)).not.toContain('weir_versions.a__0123456789ab');

    const second = await run(h);
    expect(second.outcomes.get('a')).toBe('succeeded');
    const session = await h.engine.session();
    expect(await session.query('SELECT x FROM prod.a')).toEqual([{ x: 1 }]);
    await session.close();
    expect((await h.store.pointers('prod'))[0]?.version).toBe(version);
    const dropped = await collectGarbage({ engine: h.engine, store: h.store, environments: ['prod'], retainVersions: 0, dryRun: false });
    expect(dropped.map((item) => item.relation)).toEqual(['weir_versions.a__0123456789ab']);
  });

  it('adopts a complete version the state never recorded instead of building it again', async () => {
    const h = await harness({ 'models/a.sql': 'select 1 as x' });
    const first = await run(h);
    const physical = `weir_versions."a__${first.plan.steps[0]!.version}"`;
    // A fresh state on the same warehouse: the version exists, the record does not.
    const session = await h.engine.session();
    await session.execute(`INSERT INTO ${physical} VALUES (2)`);
    await session.close();
    await h.store.close();
    const { rmSync } = await import('node:fs');
    rmSync(join(h.root, '.weir', 'state.db'), { force: true });
    rmSync(join(h.root, '.weir', 'state.db-wal'), { force: true });
    rmSync(join(h.root, '.weir', 'state.db-shm'), { force: true });
    h.store = await openSqliteStateStore(join(h.root, '.weir', 'state.db'));
    const events: WeirEvent[] = [];
    const second = await run(h, { onEvent: (event) => events.push(event) });
    expect(second.outcomes.get('a')).toBe('succeeded');
    expect(events.find((event) => event.type === 'asset_materialized')).toMatchObject({ version: first.plan.steps[0]!.version, rows: 2 });
    expect(await count(h, 'prod.a')).toBe(2);
  });
});

describe('rollback and retention', () => {
  const model = (limit: number) => `/*---\nchecks:\n  - expression: "x < ${limit}"\n---*/\nselect max(i) as x from range(VALUE) t(i)`;

  it('never rolls back to a version that failed its checks, and keeps published versions over blocked ones', async () => {
    const h = await harness({ 'models/m.sql': model(100).replace('VALUE', '10') });
    const v1 = (await run(h)).plan.steps[0]!.version;
    writeFileSync(join(h.root, 'models/m.sql'), model(100).replace('VALUE', '20'));
    const v2 = (await run(h)).plan.steps[0]!.version;
    const blocked: string[] = [];
    for (const size of ['200', '300', '400']) {
      writeFileSync(join(h.root, 'models/m.sql'), model(100).replace('VALUE', size));
      const result = await run(h);
      expect(result.outcomes.get('m')).toBe('blocked');
      blocked.push(result.plan.steps[0]!.version);
    }
    await expect(rollbackAsset({ engine: h.engine, store: h.store, environment: 'prod', asset: 'm', to: blocked[0]! })).rejects.toMatchObject({ message: expect.stringContaining('never published') });
    const dropped = await collectGarbage({ engine: h.engine, store: h.store, environments: ['prod'], retainVersions: 1, dryRun: false });
    expect(dropped.map((item) => item.version).sort()).toEqual([...blocked].sort());
    expect(await rollbackAsset({ engine: h.engine, store: h.store, environment: 'prod', asset: 'm' })).toMatchObject({ from: v2, to: v1 });
    expect(await count(h, 'prod.m')).toBe(1);
  });
});

describe('retries, timeouts and cancellation', () => {
  it('retries a failing step with backoff and records each attempt', async () => {
    const h = await harness({
      'models/flaky.ts': `
        import { defineAsset } from 'weir';
        import { existsSync, writeFileSync } from 'node:fs';
        export const flaky = defineAsset({
          retries: 2,
          columns: { x: 'BIGINT' },
          async run() {
            const marker = ${JSON.stringify('MARKER')};
            if (!existsSync(marker)) { writeFileSync(marker, '1'); throw new Error('transient failure'); }
            return [{ x: 1 }];
          },
        });
      `.replace('MARKER', '__MARKER__'),
    });
    const file = join(h.root, 'models/flaky.ts');
    const { readFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('__MARKER__', join(h.root, 'attempted')));
    const events: WeirEvent[] = [];
    const result = await run(h, { onEvent: (event) => events.push(event) });
    const [step] = await h.store.steps(result.runId);
    expect(step).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(result.status).toBe('succeeded');
    const retries = events.filter((event) => event.type === 'step_retrying');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, error: { code: 'USER_CODE_FAILED' } });
    expect(await count(h, 'prod.flaky')).toBe(1);
  });

  it('stops a step that exceeds its timeout and publishes nothing for it', async () => {
    const h = await harness({
      'models/slow.ts': `
        import { defineAsset } from 'weir';
        export const slow = defineAsset({ timeoutSeconds: 1, columns: { x: 'BIGINT' }, async run() { for (;;) {} } });
      `,
      'models/fine.sql': 'select 1 as x',
    });
    const result = await run(h);
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('slow')).toBe('failed');
    expect(result.outcomes.get('fine')).toBe('succeeded');
    const [step] = (await h.store.steps(result.runId)).filter((candidate) => candidate.asset === 'slow');
    expect(step?.error?.code).toBe('STEP_TIMEOUT');
    expect(await h.engine.describe({ schema: 'prod', name: 'slow' })).toBeUndefined();
  });

  it('stops a check that would never finish when the step times out', async () => {
    // The check's query never ends on its own: only an interrupt stops it.
    const endless = '(with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r) > 0';
    const h = await harness({ 'models/a.sql': `/*---\ntimeout_seconds: 1\nchecks:\n  - expression: "${endless}"\n---*/\nselect 1 as x` });
    const result = await run(h);
    expect(result.outcomes.get('a')).toBe('failed');
    expect((await h.store.steps(result.runId))[0]?.error?.code).toBe('STEP_TIMEOUT');
    expect(await h.engine.describe({ schema: 'prod', name: 'a' })).toBeUndefined();
  });

  it('cancels: running steps stop, nothing more is published, the run is recorded as cancelled', async () => {
    const h = await harness({
      'models/slow.ts': `
        import { defineAsset } from 'weir';
        export const slow = defineAsset({ columns: { x: 'BIGINT' }, async run() { await new Promise((r) => setTimeout(r, 30000)); return [{ x: 1 }]; } });
      `,
      'models/after.sql': 'select * from slow',
    });
    const controller = new AbortController();
    const result = await run(h, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step_started' && event.asset === 'slow') setTimeout(() => controller.abort(new Error('cancelled by test')), 200);
      },
    });
    expect(result.status).toBe('cancelled');
    expect(result.outcomes.get('slow')).toBe('cancelled');
    expect(result.outcomes.get('after')).toBe('skipped');
    expect((await h.store.run(result.runId))?.status).toBe('cancelled');
    expect(await h.engine.describe({ schema: 'prod', name: 'slow' })).toBeUndefined();
  });
});

describe('crash recovery', () => {
  it('marks a run whose process is gone as crashed, with its running steps', async () => {
    const h = await harness({ 'models/a.sql': 'select 1 as x' });
    const { hostname } = await import('node:os');
    await h.store.append([
      { type: 'run_started', at: new Date().toISOString(), runId: 'r-dead', environment: 'prod', pid: 999_999, host: hostname(), command: 'run', selection: [], exclusion: [], plannedAssets: ['a'] },
      { type: 'step_started', at: new Date().toISOString(), runId: 'r-dead', asset: 'a', version: 'v1', attempt: 1 },
    ]);
    const recovered = await recoverCrashedRuns(h.store, () => false);
    expect(recovered).toEqual(['r-dead']);
    expect((await h.store.run('r-dead'))?.status).toBe('crashed');
    expect((await h.store.steps('r-dead'))[0]).toMatchObject({ status: 'failed', error: { code: 'RUN_CRASHED' } });
    expect(await recoverCrashedRuns(h.store, () => false)).toEqual([]);
  });
});
