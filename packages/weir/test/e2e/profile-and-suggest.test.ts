/**
 * `weir profile` and `weir checks suggest`, driven through the binary: on the small e2e shop (output,
 * JSON shape, errors, the file written and never silently replaced), and on the demo `weir init`
 * writes, where the suggestions must pass on the data they came from and still single out every
 * planted problem (judged by SQL of the test's own, on the warehouse file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject, openDuckDBAdapter, type EngineSession } from '@weir/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { oracleFor, type OracleVerdict } from '../../../core/src/testing/suggestion-oracle.js';
import { createBuiltShop } from './shop-fixture.js';
import { createTempDir, runWeirIn, show, type WeirTestProject } from './weir-test-project.js';

interface ProfileJson {
  asset: string;
  version: string;
  environment: string;
  live: boolean;
  rows: number;
  sample: { rows: number; complete: boolean };
  columns: Array<{ name: string; type: string; category: string; nulls: number; distinct: number; min: unknown; max: unknown; values: { counts: Array<{ value: unknown; count: number }> } }>;
}

interface ChecksFile {
  asset: string;
  checks: Array<Record<string, unknown>>;
}

describe('weir profile and weir checks suggest on the e2e shop', () => {
  let project: WeirTestProject;
  beforeAll(async () => {
    project = await createBuiltShop();
  });
  afterAll(() => project.cleanup());

  it('prints a table per column, and the same as JSON', async () => {
    const text = await project.weir(['profile', 'orders']);
    expect(text.code, show(text)).toBe(0);
    expect(text.stdout).toMatch(/^orders {2}version [0-9a-f]+ \(live in prod\)\n4 rows, every one read\n/);
    expect(text.stdout).toMatch(/^column +type +nulls +distinct +min +max +mean ± stddev +length$/m);
    expect(text.stdout).toMatch(/^amount +DECIMAL\(12,2\) +0 +4 +1 +20 +8\.44 ± 8\.15$/m);
    expect(text.stdout).toMatch(/^ {2}status +placed \(2\) · shipped \(1\) · returned \(1\) {3}\(every value\)$/m);

    const json = await project.weirJson<ProfileJson>(['profile', 'orders', '--json']);
    expect(json).toMatchObject({ asset: 'orders', environment: 'prod', live: true, rows: 4, sample: { rows: 4, complete: true } });
    expect(json.columns.map((column) => column.name)).toEqual(['order_id', 'customer_id', 'amount', 'status']);
    expect(json.columns[0]).toMatchObject({ name: 'order_id', type: 'BIGINT', category: 'integer', nulls: 0, distinct: 4, min: 1, max: 4 });
    expect(json.columns[3]?.values.counts).toEqual([
      { value: 'placed', count: 2 },
      { value: 'shipped', count: 1 },
      { value: 'returned', count: 1 },
    ]);
  });

  it('answers an unknown asset with exit 2 and a suggestion, and an unpublished one with a hint', async () => {
    for (const args of [['profile', 'ordres'], ['checks', 'suggest', 'ordres']]) {
      const result = await project.weir(args);
      expect(result.code, show(result)).toBe(2);
      expect(result.stderr).toContain('ASSET_UNKNOWN');
      expect(result.stderr).toContain('did you mean "orders"?');
    }
    const badVersion = await project.weir(['profile', 'orders', '--at', 'zzzz']);
    expect(badVersion.code, show(badVersion)).toBe(2);
    expect(badVersion.stderr).toContain('orders has no version "zzzz"');
  });

  it('writes checks/<asset>.yaml, refuses to replace it without --force, and prints with --stdout', async () => {
    const first = await project.weir(['checks', 'suggest', 'orders']);
    expect(first.code, show(first)).toBe(0);
    expect(first.stdout).toMatch(/^wrote checks\/orders\.yaml: \d+ checks/);
    const path = join(project.root, 'checks', 'orders.yaml');
    const written = readFileSync(path, 'utf8');
    expect(written).toMatch(/^# Suggested by `weir checks suggest orders` on \d{4}-\d{2}-\d{2} from version [0-9a-f]+: review, edit, commit\.\n/);
    // models/orders.sql declares not_null and unique on order_id: not repeated (a second check of the same name would stop the project loading).
    expect(written).toContain('  # 0 nulls in 4 rows in each of these columns, so not_null\n  - not_null: [ customer_id, amount, status ]\n');
    expect(written).toContain('# - already declared for this asset, so not repeated: not_null on order_id');
    const file = parse(written) as ChecksFile;
    expect(file.asset).toBe('orders');
    expect(file.checks[0]).toEqual({ row_count: { min: 1 } });

    // The project still loads with the file in it, and a second suggestion does not replace it.
    project.write({ 'checks/orders.yaml': `${written}# reviewed by a person\n` });
    const again = await project.weir(['checks', 'suggest', 'orders']);
    expect(again.code, show(again)).toBe(2);
    expect(again.stderr).toContain('checks/orders.yaml already exists');
    expect(again.stderr).toContain('--force');
    expect(readFileSync(path, 'utf8')).toContain('# reviewed by a person');

    const printed = await project.weir(['checks', 'suggest', 'orders', '--stdout']);
    expect(printed.code, show(printed)).toBe(0);
    expect(printed.stdout).toBe(written);
    expect(readFileSync(path, 'utf8')).toContain('# reviewed by a person');

    const forced = await project.weir(['checks', 'suggest', 'orders', '--force']);
    expect(forced.code, show(forced)).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(written);
  });
});

/**
 * The planted problems of the demo (small size, seed 42), and the suggestion that must count
 * exactly their rows. stg_orders and product_performance already declare the check that catches
 * theirs (accepted_values status, unique product_id), so suggestions leave it to them.
 */
const PLANTED = [
  { asset: 'raw_customers', type: 'null_proportion', column: 'email', rows: 4 },
  { asset: 'stg_customers', type: 'regex', column: 'email', rows: 4 },
  { asset: 'raw_orders', type: 'accepted_values', column: 'status', rows: 5 },
  { asset: 'raw_payments', type: 'between', column: 'amount', rows: 5 },
  { asset: 'raw_products', type: 'unique', column: 'product_id', rows: 6 },
] as const;

const ASSETS = [...PLANTED.map((planted) => planted.asset), 'stg_orders', 'product_performance'];

describe('weir checks suggest on the demo', () => {
  const temp = createTempDir();
  const dir = join(temp.dir, 'shop');
  afterAll(() => temp.remove());

  it('proposes checks that pass on the data they came from and single out every planted problem', async () => {
    expect((await runWeirIn(temp.dir, ['init', 'shop', '--size', 'small'])).code).toBe(0);
    expect((await runWeirIn(dir, ['run'])).code).toBe(1); // the planted duplicate holds product_performance back

    // product_performance was never published: suggest from its held-back build, as the hint says.
    const refused = await runWeirIn(dir, ['checks', 'suggest', 'product_performance']);
    expect(refused.code, show(refused)).toBe(2);
    const held = /add --at ([0-9a-f]+)/.exec(refused.stderr)?.[1];
    expect(held, refused.stderr).toBeDefined();

    const files = new Map<string, ChecksFile>();
    for (const asset of ASSETS) {
      const result = await runWeirIn(dir, ['checks', 'suggest', asset, ...(asset === 'product_performance' ? ['--at', held!] : [])]);
      expect(result.code, show(result)).toBe(0);
      files.set(asset, parse(readFileSync(join(dir, 'checks', `${asset}.yaml`), 'utf8')) as ChecksFile);
    }
    expect(readFileSync(join(dir, 'checks', 'stg_orders.yaml'), 'utf8')).toMatch(/already declared for this asset, so not repeated: .*accepted_values on status/);
    expect(readFileSync(join(dir, 'checks', 'product_performance.yaml'), 'utf8')).toMatch(/already declared for this asset, so not repeated: .*unique on product_id/);
    // With every suggestion written, the project loads and runs as before: the same mart held back.
    const rerun = await runWeirIn(dir, ['run']);
    expect(rerun.code, show(rerun)).toBe(1);

    const engine = await openDuckDBAdapter({ path: join(dir, '.weir', 'warehouse.duckdb') });
    const session = await engine.session();
    try {
      for (const [asset, file] of files) {
        const relation = asset === 'product_performance' ? `weir_versions.product_performance__${held}` : `prod.${asset}`;
        for (const item of file.checks) {
          const verdict = await judge(session, item, relation);
          expect({ asset, item, verdict }).toMatchObject({ verdict: { passed: true } });
        }
      }
      for (const planted of PLANTED) {
        const file = files.get(planted.asset)!;
        const item = file.checks.find((candidate) => {
          const args = candidate[planted.type] as Record<string, unknown> | undefined;
          return args !== undefined && (args.column === planted.column || args.columns === planted.column);
        });
        expect(item, `${planted.asset}: no ${planted.type} check on ${planted.column} in\n${JSON.stringify(file.checks, null, 1)}`).toBeDefined();
        expect({ planted, verdict: await judge(session, item!, `prod.${planted.asset}`) }).toMatchObject({ verdict: { passed: true, failing: planted.rows } });
      }
    } finally {
      await session.close();
      await engine.close();
    }

    // The same, judged by Weir's own check engine: `weir check` evaluates the suggested checks
    // (loaded from checks/*.yaml) on the published versions; each passes, and each planted problem
    // shows as exactly its failing rows.
    const checked = await runWeirIn(dir, ['check', '--json', ...PLANTED.flatMap((planted) => ['-s', planted.asset])]);
    const { runId } = JSON.parse(checked.stdout) as { runId: string };
    const shown = JSON.parse((await runWeirIn(dir, ['runs', 'show', runId, '--json'])).stdout) as { checks: CheckResultJson[] };
    const project = await loadProject(dir, { env: {} });
    const suggested = (asset: string) =>
      new Set((project.assets.get(asset)?.checks ?? []).filter((check) => check.declaredAt?.file === `checks/${asset}.yaml`).map((check) => check.name));
    for (const planted of PLANTED) {
      const results = shown.checks.filter((result) => result.asset === planted.asset && suggested(planted.asset).has(result.check));
      expect(results.length, planted.asset).toBe(suggested(planted.asset).size);
      expect(results.filter((result) => !result.passed), planted.asset).toEqual([]);
      const catching = results.find((result) => result.checkType === planted.type && result.detail.includes(planted.column));
      expect({ planted, catching }).toMatchObject({ catching: { passed: true } });
      if (planted.type !== 'null_proportion') expect(catching?.failingRows, planted.asset).toBe(planted.rows);
      else expect(catching?.detail, planted.asset).toMatch(/proportion of nulls in email: 0\.\d+/);
    }
    // A dozen commands on the real demo: generous on a shared, busy machine.
  }, 240_000);
});

interface CheckResultJson {
  asset: string;
  check: string;
  checkType: string;
  passed: boolean;
  failingRows: number | null;
  detail: string;
}

async function judge(session: EngineSession, item: Record<string, unknown>, relation: string): Promise<OracleVerdict> {
  const oracle = oracleFor(item, 'duckdb', relation);
  const [row] = await session.query(oracle.sql);
  return oracle.judge(row ?? {});
}
