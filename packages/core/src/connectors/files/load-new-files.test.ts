/**
 * `load: new_files` against the real engines: DuckDB in a temporary file, PostgreSQL in a database
 * made for the run. Each build is a new version over the one before, as a run makes them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDBAdapter } from '../../engines/duckdb/duckdb-adapter.js';
import type { EngineAdapter } from '../../engines/engine-adapter.js';
import { openPostgresAdapter } from '../../engines/postgres/postgres-adapter.js';
import { isWeirError } from '../../errors/weir-error.js';
import { STAGING_SCHEMA, VERSIONS_SCHEMA, physicalRelation } from '../../plan/physical-names.js';
import type { FileSourceAsset } from '../../project/project-model.js';
import { createTestDatabase, describeWithService, postgresService, type TestDatabase } from '../../testing/services.js';
import { readManifest } from './file-manifest.js';
import { loadFileSource } from './load-file-source.js';
import { loadNewFiles } from './load-new-files.js';

function fileAsset(name: string, root: string, onDeletedFile: 'keep' | 'remove' = 'keep', glob = 'orders/*.csv'): FileSourceAsset {
  return {
    kind: 'source', name, file: 'sources/files.yaml', line: 2, source: 'files', materialization: 'table', tags: [], columns: {}, checks: [], inputs: [],
    read: { format: 'csv', paths: [join(root, glob)] },
    newFiles: { onDeletedFile },
  };
}

function engineSuite(label: string, open: () => Promise<EngineAdapter>, close: () => Promise<void>): void {
  describe(`load: new_files on ${label}`, () => {
    let engine: EngineAdapter;
    let root: string;
    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'weir-newfiles-'));
      engine = await open();
      await engine.createSchema(VERSIONS_SCHEMA);
      await engine.createSchema(STAGING_SCHEMA);
    });
    afterAll(async () => {
      await engine.close();
      await close();
      rmSync(root, { recursive: true, force: true });
    });

    const build = async (asset: FileSourceAsset, version: string, basedOn: string | null) =>
      loadNewFiles(asset, { engine, physical: physicalRelation(asset.name, version), version, basedOn, projectRoot: root });
    const rowsOf = async (asset: string, version: string) => {
      const session = await engine.session();
      try {
        const rows = await session.query(`SELECT CAST(id AS VARCHAR) AS id, _weir_source_file AS file FROM ${engine.quoteRelation(physicalRelation(asset, version))} ORDER BY id`);
        return rows.map((row) => `${String(row.id)}@${String(row.file)}`);
      } finally {
        await session.close();
      }
    };
    const stagingLeft = async () => (await engine.listRelations(STAGING_SCHEMA)).length;

    it('loads new and changed files only, replaces a changed file\'s rows, and remembers every file', async () => {
      const name = `orders_${randomBytes(4).toString('hex')}`;
      const asset = fileAsset(name, root);
      mkdirSync(join(root, 'orders'));
      writeFileSync(join(root, 'orders', 'a.csv'), 'id,amount\n1,1.5\n2,2.5\n');
      writeFileSync(join(root, 'orders', 'b.csv'), 'id,amount\n3,3.5\n');

      const first = await build(asset, 'v1', null);
      expect(first.added).toEqual(['orders/a.csv', 'orders/b.csv']);
      expect(first.rowsLoaded).toBe(3);
      expect(await rowsOf(name, 'v1')).toEqual(['1@orders/a.csv', '2@orders/a.csv', '3@orders/b.csv']);
      const manifest = await readManifest(engine, name, 'v1');
      expect(manifest?.get('orders/a.csv')).toMatchObject({ sha256: createHash('sha256').update('id,amount\n1,1.5\n2,2.5\n').digest('hex'), rows: 2, loadedIn: 'v1', deleted: false });

      // a.csv touched (same bytes, new time), b.csv rewritten, c.csv new.
      const later = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
      utimesSync(join(root, 'orders', 'a.csv'), later, later);
      writeFileSync(join(root, 'orders', 'b.csv'), 'id,amount\n3,30.5\n4,4.5\n');
      writeFileSync(join(root, 'orders', 'c.csv'), 'id,amount\n5,5.5\n');
      const second = await build(asset, 'v2', 'v1');
      expect(second).toMatchObject({ added: ['orders/c.csv'], changed: ['orders/b.csv'], unchanged: 1, rowsLoaded: 3 });
      expect(second.summary).toMatch(/1 new file\(s\), 1 changed, 1 unchanged: 3 row\(s\) loaded; rows replaced for orders\/b\.csv/);
      expect(await rowsOf(name, 'v2')).toEqual(['1@orders/a.csv', '2@orders/a.csv', '3@orders/b.csv', '4@orders/b.csv', '5@orders/c.csv']);
      const amounts = await engine.session().then(async (session) => {
        try {
          return await session.query(`SELECT sum(amount) AS total FROM ${engine.quoteRelation(physicalRelation(name, 'v2'))}`);
        } finally {
          await session.close();
        }
      });
      expect(Number(amounts[0]?.total)).toBeCloseTo(1.5 + 2.5 + 30.5 + 4.5 + 5.5);
      // The version extended is untouched; the touched file's new time is remembered, its rows are v1's.
      expect(await rowsOf(name, 'v1')).toEqual(['1@orders/a.csv', '2@orders/a.csv', '3@orders/b.csv']);
      const remembered = await readManifest(engine, name, 'v2');
      expect(remembered?.get('orders/a.csv')).toMatchObject({ loadedIn: 'v1', modifiedMs: later.getTime() });
      expect(remembered?.get('orders/b.csv')).toMatchObject({ loadedIn: 'v2', rows: 2 });

      // A gone file keeps its rows by default.
      rmSync(join(root, 'orders', 'a.csv'));
      const third = await build(asset, 'v3', 'v2');
      expect(third.deletedKept).toEqual(['orders/a.csv']);
      expect(third.summary).toContain('gone but rows kept (on_deleted_file: keep): orders/a.csv');
      expect(await rowsOf(name, 'v3')).toHaveLength(5);
      expect((await readManifest(engine, name, 'v3'))?.get('orders/a.csv')?.deleted).toBe(true);

      // ... and loses them with on_deleted_file: remove.
      const removing = await build(fileAsset(name, root, 'remove'), 'v4', 'v3');
      expect(removing.deletedRemoved).toEqual(['orders/a.csv']);
      expect(await rowsOf(name, 'v4')).toEqual(['3@orders/b.csv', '4@orders/b.csv', '5@orders/c.csv']);
      expect((await readManifest(engine, name, 'v4'))?.has('orders/a.csv')).toBe(false);

      // The files of a version whose table is gone (gc) are forgotten at the next build.
      await engine.drop(physicalRelation(name, 'v1'), 'table');
      await build(asset, 'v5', 'v4');
      expect(await readManifest(engine, name, 'v1')).toBeUndefined();
      expect(await readManifest(engine, name, 'v2')).toBeDefined();
      expect(await stagingLeft()).toBe(0);
    });

    it('refuses a file with other columns or values that do not fit, naming it; nothing is written', async () => {
      const name = `shifty_${randomBytes(4).toString('hex')}`;
      const asset = fileAsset(name, root, 'keep', 'shifty/*.csv');
      mkdirSync(join(root, 'shifty'));
      writeFileSync(join(root, 'shifty', '1.csv'), 'id,amount,note\n1,1.5,x\n');
      // A first load whose second file does not fit leaves no table behind (its first file was read straight into it).
      writeFileSync(join(root, 'shifty', '2.csv'), 'id,note\n2,y\n');
      await expect(build(asset, 'v1', null)).rejects.toThrow(/^cannot load shifty\/2\.csv: its columns differ from those of shifty_\w+ \(missing amount\)$/);
      expect(await engine.describe(physicalRelation(name, 'v1'))).toBeUndefined();
      rmSync(join(root, 'shifty', '2.csv'));
      await build(asset, 'v1', null);

      writeFileSync(join(root, 'shifty', '2.csv'), 'id,total,note,extra\n2,2.5,y,z\n');
      const error = await build(asset, 'v2', 'v1').catch((rejection: unknown) => rejection);
      expect(isWeirError(error) && error.code).toBe('SOURCE_READ_FAILED');
      expect(String((error as Error).message)).toBe(`cannot load shifty/2.csv: its columns differ from those of ${name} (missing amount; not in the table: total, extra)`);
      expect(isWeirError(error) && error.location?.file).toBe('shifty/2.csv');
      expect(await engine.describe(physicalRelation(name, 'v2'))).toBeUndefined();
      expect(await stagingLeft()).toBe(0);

      // Text where the table holds numbers: refused; an empty column (read as text) fits.
      writeFileSync(join(root, 'shifty', '2.csv'), 'id,amount,note\n2,lots,y\n');
      await expect(build(asset, 'v2', 'v1')).rejects.toThrow(/^cannot load shifty\/2\.csv: column "amount" reads as (VARCHAR|TEXT) but the table holds (DOUBLE|DOUBLE PRECISION), and some values cannot be cast$/);
      writeFileSync(join(root, 'shifty', '2.csv'), 'id,amount,note\n2.5,2,y\n');
      await expect(build(asset, 'v2', 'v1')).rejects.toThrow(/^cannot load shifty\/2\.csv: column "id" reads as (DOUBLE|DOUBLE PRECISION) but the table holds BIGINT, and 1 value\(s\) would change in the cast$/);
      writeFileSync(join(root, 'shifty', '2.csv'), 'id,amount,note\n2,,y\n');
      await build(asset, 'v2', 'v1');
      expect(await rowsOf(name, 'v2')).toEqual(['1@shifty/1.csv', '2@shifty/2.csv']);
    });

    it('refuses a gzip file cut short; a first load with no file fails; a version without a manifest is loaded again whole', async () => {
      const name = `packed_${randomBytes(4).toString('hex')}`;
      mkdirSync(join(root, 'packed'));
      const asset = { ...fileAsset(name, root, 'keep', 'packed/*.csv.gz') };
      await expect(build(asset, 'v1', null)).rejects.toThrow(/no file matches packed\/\*\.csv\.gz, and nothing was loaded before/);

      const csv = `id,amount\n${Array.from({ length: 3000 }, (_, index) => `${index},${index}.5`).join('\n')}\n`;
      const packed = gzipSync(csv);
      writeFileSync(join(root, 'packed', 'whole.csv.gz'), packed);
      writeFileSync(join(root, 'packed', 'cut.csv.gz'), packed.subarray(0, 1000));
      await expect(build(asset, 'v1', null)).rejects.toThrow(/cannot read packed\/cut\.csv\.gz: the gzip data is truncated or corrupt/);
      expect(await engine.describe(physicalRelation(name, 'v1'))).toBeUndefined();

      // v1 built by load: all (no source-file column, no manifest): v2 reads every file again.
      rmSync(join(root, 'packed', 'cut.csv.gz'));
      const whole: FileSourceAsset = { ...asset };
      delete whole.newFiles;
      await loadFileSource(whole, { engine, physical: physicalRelation(name, 'v1'), version: 'v1', basedOn: null, projectRoot: root });
      const again = await build(asset, 'v2', 'v1');
      expect(again.summary).toMatch(/^v1 has no file manifest \(it was loaded whole\): every file is loaded again; 1 new file\(s\)/);
      expect(await engine.rowCount(physicalRelation(name, 'v2'))).toBe(3000);
    });
  });
}

const duckdbDir = mkdtempSync(join(tmpdir(), 'weir-newfiles-duckdb-'));
engineSuite(
  'DuckDB',
  () => openDuckDBAdapter({ path: join(duckdbDir, 'warehouse.duckdb') }),
  async () => rmSync(duckdbDir, { recursive: true, force: true }),
);

let database: TestDatabase | undefined;
await describeWithService(postgresService, 'PostgreSQL warehouse', () => {
  engineSuite(
    'PostgreSQL',
    async () => {
      database = await createTestDatabase('weir_test_files');
      return openPostgresAdapter({ url: database.url });
    },
    async () => database?.drop(),
  );
});
