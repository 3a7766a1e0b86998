import { describe, expect, test } from 'vitest';
import { isWeirError, type WeirError } from '../errors/weir-error.js';
import type { SqlAsset } from '../project/project-model.js';
import { findTableReferences } from './find-table-references.js';

function model(name: string, sql: string, options: { sqlStartLine?: number } = {}): SqlAsset {
  return {
    kind: 'sql',
    name,
    file: `models/${name}.sql`,
    line: 1,
    tags: [],
    columns: {},
    checks: [],
    materialization: 'table',
    sql,
    sqlStartLine: options.sqlStartLine ?? 1,
    inputs: [],
    inputsDeclared: false,
    references: [],
  };
}

const ASSETS = ['orders', 'customers', 'Items', 'payments', 'b'];

async function resolve(sql: string, options: { sqlStartLine?: number; declared?: string[] } = {}) {
  const target = model('target', sql, options);
  const { byModel, problems } = await findTableReferences([target], [...ASSETS, 'target'], new Map([['target', options.declared ?? []]]));
  return { result: byModel.get('target'), problems, spans: (byModel.get('target')?.references ?? []).map((ref) => sql.slice(ref.offset, ref.offset + ref.length)) };
}

describe('references', () => {
  test('each reference records the exact span of the name, plain or quoted, in any case', async () => {
    const sql = 'select o.id, c.name\nfrom orders o\njoin "Customers" as c on c.id = o.customer_id\nleft join ITEMS i using (id)';
    const { result, problems, spans } = await resolve(sql);
    expect(problems).toEqual([]);
    expect(result?.inputs).toEqual(['orders', 'customers', 'Items']);
    expect(result?.references).toEqual([
      { asset: 'orders', offset: sql.indexOf('orders'), length: 6, aliased: true },
      { asset: 'customers', offset: sql.indexOf('"Customers"'), length: 11, aliased: true },
      { asset: 'Items', offset: sql.indexOf('ITEMS'), length: 5, aliased: true },
    ]);
    expect(spans).toEqual(['orders', '"Customers"', 'ITEMS']);
    expect(result?.inputsDeclared).toBe(false);
  });

  test('every mention is a reference; inputs are listed once, in order of first mention', async () => {
    const sql = 'select * from payments where id in (select id from orders) union all select * from payments';
    const { result, spans } = await resolve(sql);
    expect(result?.inputs).toEqual(['payments', 'orders']);
    expect(spans).toEqual(['payments', 'orders', 'payments']);
    expect(result?.references.map((ref) => ref.offset)).toEqual([sql.indexOf('payments'), sql.indexOf('orders'), sql.lastIndexOf('payments')]);
  });

  test('names in comments and strings are not references', async () => {
    const sql = "-- reads customers too\nselect 'from payments' as note /* join items */, * from orders";
    const { result, spans } = await resolve(sql);
    expect(result?.inputs).toEqual(['orders']);
    expect(spans).toEqual(['orders']);
  });

  test('offsets are characters, not UTF-8 bytes, after non-ASCII text', async () => {
    const sql = "select 'héllo ✓ 😀' as greeting, * from orders -- ünïcode\njoin customers using (id)";
    const { result, spans } = await resolve(sql);
    expect(spans).toEqual(['orders', 'customers']);
    expect(result?.references.map((ref) => ref.offset)).toEqual([sql.indexOf('orders'), sql.indexOf('customers')]);
  });

  test('CTEs are not inputs, and are scoped like DuckDB scopes them', async () => {
    // "b" in the first CTE's body is the asset b: a CTE is visible only after its definition.
    const sql = 'with a as (select * from b), b as (select * from orders) select * from a join b using (id)';
    const { result, spans } = await resolve(sql);
    expect(result?.inputs).toEqual(['b', 'orders']);
    expect(spans).toEqual(['b', 'orders']);
  });

  test('a CTE named like an asset reads the asset inside its own body only', async () => {
    const sql = 'with orders as (select * from orders where amount > 0) select * from orders';
    const { result } = await resolve(sql);
    expect(result?.references).toEqual([{ asset: 'orders', offset: sql.indexOf('from orders') + 5, length: 6, aliased: false }]);
  });

  test('a recursive CTE sees itself', async () => {
    const { result, problems } = await resolve('with recursive walk(n) as (select 1 union all select n + 1 from walk where n < 3) select * from walk, orders');
    expect(problems).toEqual([]);
    expect(result?.inputs).toEqual(['orders']);
  });

  test('schema-qualified tables and file paths are outside the project', async () => {
    const { result, problems } = await resolve("select * from main.unknown_table, other_db.raw.events, 'data/extra.csv', orders");
    expect(problems).toEqual([]);
    expect(result?.inputs).toEqual(['orders']);
  });

  test('declared inputs are added to the parsed ones', async () => {
    const { result } = await resolve('select * from orders', { declared: ['payments'] });
    expect(result).toMatchObject({ inputs: ['orders', 'payments'], inputsDeclared: false });
  });

  test('declared inputs stand in for SQL the parser cannot read', async () => {
    const { result, problems } = await resolve('select * from orders qualify row_number() over () = 1 lateral view explode(x)', { declared: ['orders'] });
    expect(problems).toEqual([]);
    expect(result).toEqual({ inputs: ['orders'], inputsDeclared: true, references: [] });
  });

  test('many models are parsed in one call, each with its own result', async () => {
    const models = Array.from({ length: 50 }, (_, index) => model(`m${index}`, index === 0 ? 'select 1 as x' : `select * from m${index - 1}`));
    const { byModel, problems } = await findTableReferences(models, models.map((one) => one.name));
    expect(problems).toEqual([]);
    expect(byModel.get('m0')?.inputs).toEqual([]);
    expect(byModel.get('m49')?.inputs).toEqual(['m48']);
  });
});

describe('problems', () => {
  async function problemsOf(sql: string, sqlStartLine = 1): Promise<WeirError[]> {
    return (await resolve(sql, { sqlStartLine })).problems;
  }

  test('a syntax error names the file line and column and quotes the engine', async () => {
    // DuckDB reads "frm" as an alias of amount and stumbles on "orders".
    const [error] = await problemsOf('select id,\n       amount\nfrm orders', 6);
    expect(isWeirError(error)).toBe(true);
    expect(error?.code).toBe('SQL_SYNTAX');
    expect(error?.location).toEqual({ file: 'models/target.sql', line: 8, column: 5 });
    expect(error?.describe()).toMatch(/^models\/target\.sql:8:5: syntax error in model "target": syntax error at or near "orders"/);
    expect(error?.message).toContain('8 | frm orders\n    |     ^');
  });

  test('a syntax error after non-ASCII text, even outside the BMP, has a character column', async () => {
    for (const sql of ["select 'ééé' as x, * from where", "select '😀😀' as x, * from where"]) {
      const [error] = await problemsOf(sql);
      expect(error?.location).toEqual({ file: 'models/target.sql', line: 1, column: sql.indexOf('where') + 1 });
    }
  });

  test('a query DuckDB cannot serialize, without declared inputs', async () => {
    const [error] = await problemsOf('pivot orders on status using sum(amount)');
    expect(error?.code).toBe('SQL_SYNTAX');
    expect(error?.describe()).toMatch(/^models\/target\.sql:1: DuckDB cannot read model "target": Only SELECT statements/);
    expect(error?.hint).toContain('inputs:');
  });

  test('an unknown table names file, line and column and suggests the closest asset', async () => {
    const [error, ...rest] = await problemsOf('select *\nfrom ordres o\njoin customers c using (id)', 3);
    expect(rest).toEqual([]);
    expect(error?.code).toBe('ASSET_UNKNOWN');
    expect(error?.describe()).toBe(
      'models/target.sql:4:6: model "target" reads "ordres", which is neither an asset of this project nor a CTE\n  hint: did you mean "orders"?',
    );
  });

  test('an unknown table far from any asset suggests qualifying it', async () => {
    const [error] = await problemsOf('select * from warehouse_inventory_snapshot');
    expect(error?.hint).toContain('qualified with their schema');
  });
});
