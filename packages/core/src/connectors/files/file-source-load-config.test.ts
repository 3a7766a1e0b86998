/**
 * `load: new_files` from the sources file to the plan: the keys are read and checked, a
 * `load: all` table keeps its version ids, and a `new_files` table is `unchanged` exactly while
 * its files are, then builds on top of its current version.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan } from '../../plan/build-plan.js';
import { fingerprintAsset, type SourceFileIdentity } from '../../plan/fingerprint.js';
import { loadProject } from '../../project/load-project.js';
import type { FileSourceAsset, Project } from '../../project/project-model.js';
import { removeTempProject, writeTempProject } from '../../project/temp-project.js';
import type { PointerRecord, VersionRecord } from '../../storage/state-store.js';

let root: string | undefined;
afterEach(async () => {
  if (root !== undefined) await removeTempProject(root);
  root = undefined;
});

async function loadSources(yaml: string): Promise<Project> {
  root = await writeTempProject({ 'weir.yaml': 'name: shop\n', 'sources/files.yaml': yaml, 'data/orders/a.csv': 'id\n1\n' });
  return loadProject(root);
}

describe('load and on_deleted_file in sources files', () => {
  it('reads load: new_files (deleted files kept unless told), and leaves load: all as it was', async () => {
    const project = await loadSources(`tables:
  - name: kept
    path: data/orders/*.csv
    load: new_files
  - name: removed
    path: data/orders/*.csv
    load: new_files
    on_deleted_file: remove
  - name: whole
    path: data/orders/*.csv
    load: all
`);
    expect((project.assets.get('kept') as FileSourceAsset).newFiles).toEqual({ onDeletedFile: 'keep' });
    expect((project.assets.get('removed') as FileSourceAsset).newFiles).toEqual({ onDeletedFile: 'remove' });
    expect(project.assets.get('whole')).not.toHaveProperty('newFiles');
  });

  it('refuses on_deleted_file without new_files, new_files over URLs, and an unknown mode, at their lines', async () => {
    const error = await loadSources(`tables:
  - name: stray
    path: data/orders/*.csv
    on_deleted_file: remove
  - name: remote
    path: s3://bucket/orders/*.parquet
    load: new_files
  - name: odd
    path: data/orders/*.csv
    load: some_files
`).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    const message = String((error as Error).message);
    expect(message).toContain('sources/files.yaml:4:22: table "stray": "on_deleted_file" needs load: new_files');
    expect(message).toContain('sources/files.yaml:7:11: table "remote": load: new_files reads local files only (s3://bucket/orders/*.parquet is a URL)');
    expect(message).toContain('sources/files.yaml:10:11: "tables[2].load": expected one of all, new_files');
  });
});

describe('planning a load: new_files table', () => {
  const asset = (newFiles: boolean): FileSourceAsset => ({
    kind: 'source', name: 'raw', file: 'sources/s.yaml', line: 1, tags: [], columns: {}, checks: [], materialization: 'table', source: 's', inputs: [],
    read: { format: 'csv', paths: ['/p/data/*.csv'] },
    ...(newFiles ? { newFiles: { onDeletedFile: 'keep' as const } } : {}),
  });
  const project = (spec: FileSourceAsset): Project => ({
    name: 't', root: '/p', environment: 'prod',
    warehouse: { engine: 'duckdb', path: '/p/w.duckdb' }, state: { store: 'sqlite', path: '/p/s.db' },
    defaults: { materialization: 'table', concurrency: 2, retries: 0, retryDelaySeconds: 1, timeoutSeconds: 60, retainVersions: 3 },
    assets: new Map([[spec.name, spec]]),
  });
  const pointer = (version: string): PointerRecord => ({ environment: 'prod', asset: 'raw', version, publishedAt: '2026-01-01T00:00:00Z', pinned: false });
  const record = (version: string, basedOn: string | null): VersionRecord => ({
    asset: 'raw', version, physicalSchema: 'weir_versions', physicalName: `raw__${version}`, materialization: 'table', status: 'published', rows: 1, createdAt: '2026-01-01T00:00:00Z', createdByRun: 'r', basedOn,
  });
  const plan = async (spec: FileSourceAsset, files: SourceFileIdentity[], pointers: PointerRecord[], versions: VersionRecord[]) =>
    (await buildPlan({ project: project(spec), engine: 'duckdb', environment: 'prod', selected: new Set(['raw']), pointers, versions, describeFiles: async () => files })).steps[0]!;

  it('keeps the version ids of load: all tables', () => {
    const inputs = { engine: 'duckdb', projectRoot: '/p', upstreamVersions: {}, files: [{ path: '/p/data/a.csv', size: 1, modifiedMs: 1 }] };
    // The id a load: all table had before load: new_files existed (spec without a newFiles key).
    expect(fingerprintAsset(asset(false), inputs)).toBe(fingerprintAsset({ ...asset(false) }, inputs));
    expect(fingerprintAsset(asset(true), inputs)).not.toBe(fingerprintAsset(asset(false), inputs));
  });

  it('is unchanged while no file is new or changed, and builds on the current version when one is', async () => {
    const one = [{ path: '/p/data/a.csv', size: 10, modifiedMs: 1 }];
    const first = await plan(asset(true), one, [], []);
    expect(first).toMatchObject({ action: 'build', basedOn: null, reason: 'first build' });
    const same = await plan(asset(true), one, [pointer(first.version)], [record(first.version, null)]);
    expect(same).toMatchObject({ action: 'unchanged', version: first.version });

    const two = [...one, { path: '/p/data/b.csv', size: 20, modifiedMs: 2 }];
    const next = await plan(asset(true), two, [pointer(first.version)], [record(first.version, null)]);
    expect(next).toMatchObject({ action: 'build', basedOn: first.version });
    const settled = await plan(asset(true), two, [pointer(next.version)], [record(first.version, null), record(next.version, first.version)]);
    expect(settled).toMatchObject({ action: 'unchanged', version: next.version });
    const touched = await plan(asset(true), [one[0]!, { path: '/p/data/b.csv', size: 20, modifiedMs: 3 }], [pointer(next.version)], [record(next.version, first.version)]);
    expect(touched).toMatchObject({ action: 'build', basedOn: next.version });
  });
});
