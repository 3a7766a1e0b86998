/**
 * The read side of the CLI as scripts use it: `weir query` formats, `--json` on every read
 * command, `weir show` of an unknown asset, and `weir gc` (with and without `--dry-run`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_ROWS, SHOP_ASSETS, ordersCsv, createBuiltShop } from './shop-fixture.js';
import { countRows, latestRun, show, type LsAssetJson, type RunDetailJson, type RunJson, type WeirTestProject } from './weir-test-project.js';

describe('weir query and --json outputs', () => {
  let project: WeirTestProject;
  beforeAll(async () => {
    project = await createBuiltShop();
  });
  afterAll(async () => {
    await project.cleanup();
  });

  const SQL = 'select customer_id, revenue, order_count from revenue order by customer_id';

  it('query --format csv prints a header and one line per row', async () => {
    const result = await project.weir(['query', SQL, '--format', 'csv']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toBe('customer_id,revenue,order_count\n10,6.5,2\n11,27.25,2\n');
  });

  it('query --format json (and -f json) prints an array of row objects', async () => {
    for (const args of [['--format', 'json'], ['-f', 'json'], ['--json']]) {
      const result = await project.weir(['query', SQL, ...args]);
      expect(result.code, show(result)).toBe(0);
      const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
      expect(rows.map((row) => [Number(row.customer_id), Number(row.revenue), Number(row.order_count)])).toEqual([
        [10, 6.5, 2],
        [11, 27.25, 2],
      ]);
    }
  });

  it('query with a bad format or bad SQL is a usage error', async () => {
    const format = await project.weir(['query', SQL, '--format', 'xml']);
    expect(format.code, show(format)).toBe(2);
    expect(format.stderr).toContain('--format must be one of table, csv, json');
    const sql = await project.weir(['query', 'select * from no_such_table']);
    expect(sql.code, show(sql)).toBe(2);
    expect(sql.stderr).toMatch(/query failed: .*no_such_table/);
  });

  it('ls, show, runs and runs show print parseable JSON with --json', async () => {
    const ls = await project.weirJson<{ environment: string; assets: LsAssetJson[] }>(['ls', '--json']);
    expect(ls.environment).toBe('prod');
    expect(ls.assets.map((asset) => asset.name).sort()).toEqual([...SHOP_ASSETS].sort());
    expect(ls.assets.find((asset) => asset.name === 'raw_orders')).toMatchObject({ kind: 'source', rows: 4 });

    const detail = await project.weirJson<{ name: string; upstream: string[]; downstream: string[]; columns: Array<{ name: string; type: string }> }>(['show', 'revenue', '--json']);
    expect(detail).toMatchObject({ name: 'revenue', upstream: ['orders'], downstream: ['big_customers'] });
    expect(detail.columns.map((column) => column.name)).toEqual(['customer_id', 'revenue', 'order_count']);

    const runs = await project.weirJson<RunJson[]>(['runs', '--json']);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'succeeded', command: 'run' });

    // --json after the id, and before it, both count.
    for (const args of [['runs', 'show', runs[0]!.runId, '--json'], ['runs', 'show', '--json', runs[0]!.runId]]) {
      const run = await project.weirJson<RunDetailJson>(args);
      expect(run.runId).toBe(runs[0]!.runId);
      expect(run.steps).toHaveLength(SHOP_ASSETS.length);
      expect(run.checks.length).toBeGreaterThan(0);
    }
    // A unique prefix of a run id is enough.
    const prefixed = await project.weirJson<RunDetailJson>(['runs', 'show', runs[0]!.runId.slice(0, -2), '--json']);
    expect(prefixed.runId).toBe(runs[0]!.runId);
  });

  it('show of an unknown asset exits 2 with a suggestion', async () => {
    const result = await project.weir(['show', 'revenu']);
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr).toContain('error [ASSET_UNKNOWN]');
    expect(result.stderr).toContain('no asset "revenu"');
    expect(result.stderr).toContain('did you mean "revenue"?');
  });
});

interface GcJson {
  dryRun: boolean;
  dropped: Array<{ asset: string | null; version: string | null; relation: string; reason: string }>;
}

describe('weir gc', () => {
  it('drops an old unpublished version; --dry-run only lists it; live versions stay readable', async () => {
    const project = await createBuiltShop();
    try {
      // A duplicate order: the new orders version is built, blocked, and never published.
      project.write({ 'data/orders.csv': ordersCsv([...ORDERS_ROWS, '4,12,3.00,placed']) });
      expect((await project.weir(['run'])).code).toBe(1);
      const blocked = (await project.weirJson<{ versions: Array<{ version: string; status: string }> }>(['show', 'orders', '--json'])).versions.find(
        (version) => version.status === 'blocked',
      );
      expect(blocked).toBeDefined();
      const relation = `weir_versions.orders__${blocked!.version}`;
      const live = (await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json'])).assets;

      // The default retention keeps a few old PUBLISHED versions per asset (somewhere to roll back
      // to); a version held back by a check is not one of them.
      const retained = await project.weirJson<GcJson>(['gc', '--dry-run', '--json']);
      expect(retained.dropped).toEqual([{ asset: 'orders', version: blocked!.version, relation, reason: 'never published' }]);
      // A --keep that is not a number is refused before anything is dropped (it used to keep nothing).
      const badKeep = await project.weir(['gc', '--keep', 'all']);
      expect(badKeep.code, show(badKeep)).toBe(2);
      expect(badKeep.stderr).toContain('--keep must be a whole number');

      const dry = await project.weirJson<GcJson>(['gc', '--keep', '0', '--dry-run', '--json']);
      expect(dry.dryRun).toBe(true);
      expect(dry.dropped).toContainEqual({ asset: 'orders', version: blocked!.version, relation, reason: 'never published' });
      expect(dry.dropped.some((item) => item.asset === 'raw_orders')).toBe(true);
      // A dry run drops nothing.
      expect(Number((await project.query<{ n: number }>(`select count(*) as n from ${relation}`))[0]?.n)).toBe(5);
      expect((await project.weirJson<GcJson>(['gc', '--keep', '0', '--dry-run', '--json'])).dropped).toEqual(dry.dropped);

      const text = await project.weir(['gc', '--keep', '0']);
      expect(text.code, show(text)).toBe(0);
      expect(text.stdout).toContain(`dropped ${dry.dropped.length} relation(s)`);
      expect(text.stdout).toContain(relation);
      const gone = await project.weir(['query', `select count(*) from ${relation}`]);
      expect(gone.code, show(gone)).toBe(2);
      expect((await project.weirJson<GcJson>(['gc', '--keep', '0', '--dry-run', '--json'])).dropped).toEqual([]);

      // Every live version survived and still answers.
      const liveOf = (assets: LsAssetJson[]): Array<[string, string | null, number | null]> => assets.map((asset) => [asset.name, asset.version, asset.rows]);
      expect(liveOf((await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json'])).assets)).toEqual(liveOf(live));
      const counts = await countRows(project, live.map((asset) => asset.name));
      for (const asset of live) expect(counts.get(asset.name), asset.name).toBe(asset.rows);
      expect((await latestRun(project)).status).toBe('failed');
    } finally {
      await project.cleanup();
    }
  });
});
