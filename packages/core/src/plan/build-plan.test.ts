import { describe, expect, it } from 'vitest';
import type { AssetSpec, Project, SqlAsset } from '../project/project-model.js';
import type { PointerRecord, VersionRecord } from '../storage/state-store.js';
import { buildPlan } from './build-plan.js';
import { fingerprintAsset } from './fingerprint.js';

function model(name: string, sql: string, inputs: string[], extra: Partial<SqlAsset> = {}): SqlAsset {
  return { kind: 'sql', name, file: `models/${name}.sql`, line: 1, tags: [], columns: {}, checks: [], materialization: 'table', sql, sqlStartLine: 1, inputs, inputsDeclared: false, references: [], ...extra };
}

function project(...assets: SqlAsset[]): Project {
  return {
    name: 't',
    root: '/tmp/t',
    environment: 'prod',
    warehouse: { engine: 'duckdb', path: '/tmp/t/w.duckdb' },
    state: { store: 'sqlite', path: '/tmp/t/s.db' },
    defaults: { materialization: 'table', concurrency: 2, retries: 0, retryDelaySeconds: 1, timeoutSeconds: 60, retainVersions: 3 },
    assets: new Map(assets.map((asset) => [asset.name, asset])),
  };
}

const pointer = (asset: string, version: string, pinned = false): PointerRecord => ({ environment: 'prod', asset, version, publishedAt: '2026-01-01T00:00:00Z', pinned });
const version = (asset: string, id: string, basedOn: string | null = null): VersionRecord => ({
  asset, version: id, physicalSchema: 'weir_versions', physicalName: `${asset}__${id}`, materialization: 'table', status: 'published', rows: 1, createdAt: '2026-01-01T00:00:00Z', createdByRun: 'r', basedOn,
});

async function plan(p: Project, pointers: PointerRecord[] = [], versions: VersionRecord[] = [], selected = [...p.assets.keys()]) {
  return buildPlan({ project: p, engine: 'duckdb', environment: 'prod', selected: new Set(selected), pointers, versions, describeFiles: async () => [] });
}

describe('fingerprints', () => {
  it('ignore whitespace and checks but not code, materialization or upstream versions', () => {
    const base = model('a', 'select 1 as x', []);
    const inputs = { engine: 'duckdb', projectRoot: '/p', upstreamVersions: {} };
    const id = fingerprintAsset(base, inputs);
    expect(fingerprintAsset(model('a', '  select\n 1   as x\n', []), inputs)).toBe(id);
    expect(fingerprintAsset(model('a', '-- why\nselect /* one */ 1 as x', []), inputs)).toBe(id);
    expect(fingerprintAsset(model('a', "select '  a' as x", []), inputs)).not.toBe(fingerprintAsset(model('a', "select ' a' as x", []), inputs));
    expect(fingerprintAsset({ ...base, checks: [{ type: 'not_null', name: 'n', column: 'x', severity: 'error' }], description: 'd' }, inputs)).toBe(id);
    expect(fingerprintAsset(model('a', 'select 2 as x', []), inputs)).not.toBe(id);
    expect(fingerprintAsset({ ...base, materialization: 'view' }, inputs)).not.toBe(id);
    expect(fingerprintAsset(base, { ...inputs, upstreamVersions: { b: '1' } })).not.toBe(fingerprintAsset(base, { ...inputs, upstreamVersions: { b: '2' } }));
    expect(fingerprintAsset(base, { ...inputs, engine: 'postgres' })).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('fingerprints of file sources', () => {
  const source = (root: string): AssetSpec => ({
    kind: 'source', name: 'raw', file: 'sources/s.yaml', line: 1, tags: [], columns: {}, checks: [], materialization: 'table', source: 's', inputs: [],
    read: { format: 'csv', paths: [`${root}/data/*.csv`] },
  });
  const files = (root: string) => [{ path: `${root}/data/a.csv`, size: 10, modifiedMs: 1 }];

  it('do not depend on where the project sits on disk', () => {
    const here = fingerprintAsset(source('/home/a/shop'), { engine: 'duckdb', projectRoot: '/home/a/shop', upstreamVersions: {}, files: files('/home/a/shop') });
    const there = fingerprintAsset(source('/ci/build-7/shop'), { engine: 'duckdb', projectRoot: '/ci/build-7/shop', upstreamVersions: {}, files: files('/ci/build-7/shop') });
    expect(here).toBe(there);
    const changed = fingerprintAsset(source('/ci/build-7/shop'), { engine: 'duckdb', projectRoot: '/ci/build-7/shop', upstreamVersions: {}, files: [{ path: '/ci/build-7/shop/data/a.csv', size: 11, modifiedMs: 1 }] });
    expect(changed).not.toBe(there);
  });
});

describe('buildPlan', () => {
  const a = model('a', 'select 1 as x', []);
  const b = model('b', 'select * from a', ['a']);

  it('orders steps after their inputs and builds everything the first time', async () => {
    const result = await plan(project(b, a));
    expect(result.steps.map((step) => [step.asset.name, step.action])).toEqual([['a', 'build'], ['b', 'build']]);
    expect(result.steps[1]?.upstreamInPlan).toEqual(['a']);
    expect(result.steps[1]?.inputVersions).toEqual({ a: result.steps[0]?.version });
  });

  it('leaves unchanged assets alone, reuses a version built before, and respects a pin', async () => {
    const first = await plan(project(a, b));
    const [va, vb] = first.steps.map((step) => step.version) as [string, string];
    const again = await plan(project(a, b), [pointer('a', va), pointer('b', vb)], [version('a', va), version('b', vb)]);
    expect(again.steps.map((step) => step.action)).toEqual(['unchanged', 'unchanged']);
    // b points elsewhere (a rollback), but the version for the current code exists: no rebuild.
    const reuse = await plan(project(a, b), [pointer('a', va), pointer('b', 'older')], [version('a', va), version('b', vb), version('b', 'older')]);
    expect(reuse.steps[1]?.action).toBe('reuse');
    const pinned = await plan(project(a, b), [pointer('a', va), pointer('b', 'older', true)], [version('a', va), version('b', vb)]);
    expect(pinned.steps[1]).toMatchObject({ action: 'pinned', version: 'older' });
  });

  it('gives a view that reads the environment (declared inputs) a version per environment', async () => {
    const declared = model('d', 'select * from a fetch first 1 rows with ties', ['a'], { materialization: 'view', inputsDeclared: true });
    const inProd = await buildPlan({ project: project(a, declared), engine: 'duckdb', environment: 'prod', selected: new Set(['d']), pointers: [pointer('a', 'a1')], versions: [], describeFiles: async () => [] });
    const inDev = await buildPlan({ project: project(a, declared), engine: 'duckdb', environment: 'dev', selected: new Set(['d']), pointers: [pointer('a', 'a1')], versions: [], describeFiles: async () => [] });
    expect(inProd.steps[0]?.version).not.toBe(inDev.steps[0]?.version);
    const table = model('d', declared.sql, ['a'], { inputsDeclared: true });
    const tableProd = await buildPlan({ project: project(a, table), engine: 'duckdb', environment: 'prod', selected: new Set(['d']), pointers: [pointer('a', 'a1')], versions: [], describeFiles: async () => [] });
    const tableDev = await buildPlan({ project: project(a, table), engine: 'duckdb', environment: 'dev', selected: new Set(['d']), pointers: [pointer('a', 'a1')], versions: [], describeFiles: async () => [] });
    expect(tableProd.steps[0]?.version).toBe(tableDev.steps[0]?.version);
  });

  it('reads unselected inputs at their published version, and refuses when there is none', async () => {
    const result = await plan(project(a, b), [pointer('a', 'live1')], [version('a', 'live1')], ['b']);
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ inputVersions: { a: 'live1' }, upstreamInPlan: [] });
    await expect(plan(project(a, b), [], [], ['b'])).rejects.toThrow(/b reads a, which has no published version/);
  });

  it('builds an incremental asset on top of the current version, and sees when nothing is new', async () => {
    const inc = model('inc', 'select * from a', ['a'], { materialization: 'incremental', incremental: { strategy: 'append', uniqueKey: [] } });
    const first = await plan(project(a, inc), [pointer('a', 'a1')], [version('a', 'a1')], ['inc']);
    const v1 = first.steps[0]!.version;
    expect(first.steps[0]).toMatchObject({ action: 'build', basedOn: null });
    const same = await plan(project(a, inc), [pointer('a', 'a1'), pointer('inc', v1)], [version('a', 'a1'), version('inc', v1)], ['inc']);
    expect(same.steps[0]).toMatchObject({ action: 'unchanged', version: v1 });
    const next = await plan(project(a, inc), [pointer('a', 'a2'), pointer('inc', v1)], [version('a', 'a2'), version('inc', v1)], ['inc']);
    expect(next.steps[0]).toMatchObject({ action: 'build', basedOn: v1 });
    const v2 = next.steps[0]!.version;
    const settled = await plan(project(a, inc), [pointer('a', 'a2'), pointer('inc', v2)], [version('a', 'a2'), version('inc', v2, v1)], ['inc']);
    expect(settled.steps[0]).toMatchObject({ action: 'unchanged', version: v2 });
  });
});
