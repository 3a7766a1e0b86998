import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AssetSpec, FileSourceAsset, SqlAsset, TypeScriptAsset } from '../project/project-model.js';
import { AssetGraph } from './asset-graph.js';
import { inferOutputColumns } from './infer-output-columns.js';
import { columnPresence, type AssetColumns } from './output-columns.js';

// Upstream tables of the cases. Each is also created in a real DuckDB, where every case's SQL is
// made a view and described: DuckDB's own answer is the oracle every inference is held to.
const TABLES: Record<string, string> = {
  orders: 'id INTEGER, customer_id INTEGER, amount DECIMAL(10,2), status VARCHAR, ordered_at TIMESTAMP',
  customers: 'id INTEGER, Name VARCHAR, country VARCHAR',
  items: 'order_id INTEGER, id INTEGER, quantity INTEGER, tags VARCHAR[]',
  nested: 'id INTEGER, point STRUCT(x INTEGER, y INTEGER), labels VARCHAR[]',
  // Known to DuckDB, but to Weir only as a Parquet source whose columns are not declared.
  raw_events: 'event_id INTEGER, kind VARCHAR, payload VARCHAR',
  probe_table: 'a INTEGER, b VARCHAR, s STRUCT(x INTEGER, y INTEGER), l INTEGER[], d DATE, ts TIMESTAMP',
};
const HIDDEN = new Set(['raw_events']);

let connection: DuckDBConnection;
beforeAll(async () => {
  connection = await (await DuckDBInstance.create(':memory:')).connect();
  for (const [name, columns] of Object.entries(TABLES)) await connection.run(`CREATE TABLE ${name} (${columns})`);
});
afterAll(() => connection.closeSync());

function base(name: string) {
  return { name, file: `models/${name}.sql`, line: 1, tags: [], columns: {}, checks: [] };
}

function upstreamAsset(name: string): AssetSpec {
  if (HIDDEN.has(name)) {
    const source: FileSourceAsset = { ...base(name), kind: 'source', materialization: 'table', source: 'files', read: { format: 'parquet', paths: [`/data/${name}.parquet`] }, inputs: [] };
    return source;
  }
  const outputColumns = Object.fromEntries((TABLES[name] ?? '').split(/,\s*(?![^()]*\))/).map((definition) => definition.split(/ (.*)/s) as [string, string]));
  const asset: TypeScriptAsset = { ...base(name), kind: 'typescript', materialization: 'table', inputs: [], modulePath: '', exportName: name, codeHash: '', outputColumns };
  return asset;
}

function sqlAsset(name: string, sql: string, inputs: string[]): SqlAsset {
  return { ...base(name), kind: 'sql', materialization: 'view', sql, sqlStartLine: 1, inputs, inputsDeclared: false, references: [] };
}

let viewNumber = 0;
/** Infers the columns of `sql` over the tables above, and checks the answer against DuckDB. */
async function infer(sql: string): Promise<AssetColumns> {
  const assets = new Map<string, AssetSpec>(Object.keys(TABLES).map((name) => [name, upstreamAsset(name)]));
  assets.set('model', sqlAsset('model', sql, Object.keys(TABLES)));
  const graph = AssetGraph.fromInputs(new Map([...assets].map(([name, asset]) => [name, asset.inputs])));
  const columns = (await inferOutputColumns(assets, graph)).get('model');
  if (columns === undefined) throw new Error('no columns inferred');
  await expectAgreesWithDuckDB(sql, columns);
  return columns;
}

/** Complete: exactly DuckDB's names and, where given, types. Incomplete: every certain name exists. */
async function expectAgreesWithDuckDB(sql: string, inferred: AssetColumns): Promise<void> {
  const view = `probe_${++viewNumber}`;
  await connection.run(`CREATE VIEW ${view} AS ${sql}`);
  const described = (await connection.runAndReadAll(`DESCRIBE ${view}`)).getRowsJS().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
  if (inferred.complete) {
    expect(inferred.columns.map((column) => column.name), sql).toEqual(described.map((column) => column.name));
    inferred.columns.forEach((column, index) => {
      if (column.type !== undefined) expect(column.type, `type of ${column.name} in ${sql}`).toBe(described[index]?.type);
    });
  } else {
    const actual = new Set(described.map((column) => column.name.toLowerCase()));
    for (const column of inferred.columns) if (column.nameCertain) expect(actual.has(column.name.toLowerCase()), `${column.name} in ${sql}`).toBe(true);
  }
}

const namesOf = (columns: AssetColumns) => columns.columns.map((column) => column.name);

describe('inferOutputColumns on one model', () => {
  test.each([
    ['select id, status from orders', ['id', 'status']],
    ['select o.id, o.amount as total from orders o', ['id', 'total']],
    ['select ID, NAME from customers', ['id', 'Name']],
    ['select "Name" as "Customer Name" from customers', ['Customer Name']],
    ['select id + 1, count(*), lower(status) from orders group by all', ['(id + 1)', 'count_star()', 'lower(status)']],
    ['select #2, #1 as first from orders', ['customer_id', 'first']],
    ["select 1, 'x', true, null, id is null, status like 'a%', case when id > 1 then 1 else 0 end from orders", ['1', "'x'", "CAST('t' AS BOOLEAN)", 'NULL', '(id IS NULL)', "(status ~~ 'a%')", 'CASE  WHEN ((id > 1)) THEN (1) ELSE 0 END']],
    ['select sum(amount) over (partition by customer_id order by ordered_at), row_number() over () from orders', ['sum(amount) OVER (PARTITION BY customer_id ORDER BY ordered_at)', 'row_number() OVER ()']],
    ['select id, id, id as id from orders', ['id', 'id_1', 'id_2']],
    ['select 1 as a, 2 as a, 3 as a_1, 4 as A', ['a', 'a_1', 'a_1_1', 'A_2']],
    ['select * from orders', ['id', 'customer_id', 'amount', 'status', 'ordered_at']],
    ['from orders', ['id', 'customer_id', 'amount', 'status', 'ordered_at']],
    ['select o.* , c.Name from orders o join customers c on c.id = o.customer_id', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'Name']],
    ['select * from orders o join customers c on c.id = o.customer_id', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'id_1', 'Name', 'country']],
    ['select * from items join orders using (id)', ['order_id', 'id', 'quantity', 'tags', 'customer_id', 'amount', 'status', 'ordered_at']],
    ['select * from items full join orders using (id)', ['order_id', 'id', 'quantity', 'tags', 'customer_id', 'amount', 'status', 'ordered_at']],
    ['select * from orders natural join customers', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'Name', 'country']],
    ['select orders.* from items join orders using (id)', ['id', 'customer_id', 'amount', 'status', 'ordered_at']],
    ['select * from orders semi join items on items.order_id = orders.id', ['id', 'customer_id', 'amount', 'status', 'ordered_at']],
    ['select * from orders positional join customers', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'id_1', 'Name', 'country']],
    ['select * exclude (amount, STATUS) from orders', ['id', 'customer_id', 'ordered_at']],
    ['select * exclude (c.id) from orders o join customers c on c.id = o.customer_id', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'Name', 'country']],
    ['select * replace (amount * 2 as amount) from orders', ['id', 'customer_id', 'amount', 'status', 'ordered_at']],
    ['select * rename (amount as total, o.id as order_id) from orders o', ['order_id', 'customer_id', 'total', 'status', 'ordered_at']],
    ['with recent as (select id, amount from orders) select * from recent', ['id', 'amount']],
    ['with a as (select id from orders), b as (select a.id, 2 as two from a) select * from b', ['id', 'two']],
    ['with orders as (select id as order_id from orders) select * from orders', ['order_id']],
    ['with c(x, y) as (select id, status, amount from orders) select * from c', ['x', 'y', 'amount']],
    ['with c as (select 1 as a, 2 as a) select * from c', ['a', 'a_1']],
    ['select * from (select id, status from orders) as s(order_id)', ['order_id', 'status']],
    ['select * from (select 1 as a, 2 as a, 3 as b) s(b)', ['b', 'a', 'b_1']],
    ['select * from orders as o(x, y)', ['x', 'y', 'amount', 'status', 'ordered_at']],
    ['select * from (values (1, 2)) v(a)', ['a', 'col1']],
    ['select id, status from orders union all select event_id, kind from raw_events', ['id', 'status']],
    ['select id from orders union select order_id from items except select id from customers', ['id']],
    ['select id, status from orders union by name select Name, id from customers', ['id', 'status', 'Name']],
    ['with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r', ['n']],
    ['select distinct on (customer_id) * from orders order by customer_id, ordered_at desc', ['id', 'customer_id', 'amount', 'status', 'ordered_at']],
    ['select customer_id, sum(amount) as total from orders group by customer_id having total > 0 qualify row_number() over (order by total) < 10', ['customer_id', 'total']],
    ['select id, (select max(amount) from orders o2 where o2.customer_id = c.id) as top from customers c', ['id', 'top']],
    ['select * from orders o, lateral (select o.amount * 2 as doubled) d', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'doubled']],
    ['select unnest(tags) as tag, unnest(string_split(status, \',\')) as part from items, orders', ['tag', 'part']],
    ['select point.x, nested.point.y, labels[1] from nested', ['x', 'y', 'labels[1]']],
    ['select list_transform(labels, l -> upper(l)) as upper_labels from nested', ['upper_labels']],
    ['select amount * 2 as doubled, doubled + 1 as plus_one from orders', ['doubled', 'plus_one']],
    ['values (1, 2)', ['col0', 'col1']],
    ['select * from (from orders) o, items i where i.order_id = o.id', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'order_id', 'id_1', 'quantity', 'tags']],
    ['select id, customer_id from orders intersect select id, id from customers', ['id', 'customer_id']],
    ['select * from orders o asof join items i on o.id = i.order_id and o.id >= i.id', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'order_id', 'id_1', 'quantity', 'tags']],
    ['select grouping(status), status from orders group by rollup (status)', ['GROUPING(status)', 'status']],
    ['with a as (select id + 1 from orders) select * from a', ['(id + 1)']],
    ['with a as (select *, 1 as id from orders) select * from a', ['id', 'customer_id', 'amount', 'status', 'ordered_at', 'id_1']],
  ])('%s', async (sql, expected) => {
    const columns = await infer(sql);
    expect(namesOf(columns)).toEqual(expected);
    expect(columns.complete).toBe(true);
  });

  test.each([
    ['select * from raw_events', [], 'the columns of "raw_events"'],
    ['select *, 1 as one from raw_events', ['one'], 'raw_events'],
    ['select e.*, o.id as order_id from raw_events e join orders o on o.id = e.event_id', ['order_id'], 'raw_events'],
    ['select columns(\'^s\') from orders', [], 'COLUMNS'],
    ['select * like \'s%\' from orders', [], '* inside an expression'],
    ['select unnest(point) from nested', [], 'unnest() may expand a struct'],
    ['select point.* from nested', [], 'point.*'],
    ['select * from read_csv(\'x.csv\')', [], 'table function read_csv()'],
    ['select * from main.orders', [], 'main.orders, outside the project'],
    ['select cast(amount as decimal(18, 2)) from orders', ['~CAST(amount AS DECIMAL(18,2))'], 'may be named differently'],
    ['select ordered_at::date from orders', ['~CAST(ordered_at AS DATE)'], 'may be named differently'],
    ['select 1.5, 1e3 from orders', ['~1.5', '~?'], 'may be named differently'],
    ['select * from orders pivot (sum(amount) for status in (\'a\', \'b\'))', [], 'PIVOT'],
  ])('%s is incomplete', async (sql, expected, reason) => {
    // DuckDB cannot describe a view over a missing file: no oracle for that one.
    const columns = sql.includes('read_csv') ? await inferUnchecked(sql) : await infer(sql);
    expect(columns.complete).toBe(false);
    // A leading ~ marks a name Weir lists as a guess.
    expect(columns.columns.map((column) => (column.nameCertain ? column.name : `~${column.name}`))).toEqual(expected);
    expect(columns.reason).toContain(reason);
  });

  test('explicit columns of an unknown upstream are known, with their sources', async () => {
    const columns = await infer('select event_id, upper(kind) as kind_upper from raw_events');
    expect(columns.complete).toBe(true);
    expect(columns.columns).toEqual([
      { name: 'event_id', nameCertain: true, sources: [{ asset: 'raw_events', column: 'event_id', exact: true }] },
      { name: 'kind_upper', nameCertain: true, sources: [{ asset: 'raw_events', column: 'kind', exact: false }] },
    ]);
  });

  test('types pass through columns and casts; sources follow CTEs, joins and unions', async () => {
    const columns = await infer(`
      with totals as (select order_id, sum(quantity) as units from items group by order_id)
      select o.id, cast(t.units as bigint) as units, count(*) over () as n, 'web' as channel
      from orders o join totals t on t.order_id = o.id
      union all
      select c.id, null, 0, c.country from customers c`);
    expect(columns.columns).toEqual([
      { name: 'id', type: 'INTEGER', nameCertain: true, sources: [{ asset: 'orders', column: 'id', exact: true }, { asset: 'customers', column: 'id', exact: true }] },
      { name: 'units', nameCertain: true, sources: [{ asset: 'items', column: 'quantity', exact: false }] },
      { name: 'n', nameCertain: true, sources: [] },
      { name: 'channel', type: 'VARCHAR', nameCertain: true, sources: [{ asset: 'customers', column: 'country', exact: true }] },
    ]);
  });
});

describe('unaliased expressions are named as DuckDB names them, or marked as guesses', () => {
  // Each goes through the DuckDB oracle in infer(): a certain name must be DuckDB's.
  test.each([
    'a + 1', 'count(*)', 'count(a)', 'count(distinct a)', '1', "'x'", 'cast(a as bigint)', 'a::bigint', 'lower(b)', 'a between 1 and 2',
    "b like '%x'", '[1, 2]', "{'k': 1}", 'a is null', 'not (a = 1)', 'coalesce(a, 0)', 'sum(a) over (partition by b order by d)',
    '(select 1)', 'exists(select 1)', 'a in (1, 2)', '-a', "date_trunc('day', ts)", 'extract(year from d)', 'interval 1 day',
    'd + interval 1 day', 'true', 'null', "b || 'x'", 'l[1]', "s['x']", 'list_transform(l, x -> x + 1)', "'a'::varchar", 'current_date',
    'b collate nocase', 'a // 2', 'a % 2', "b ilike 'x'", "b similar to 'x'", 'a::decimal(18,2)', 'trim(b)', '$$x$$', '1.5', '1e3', '-1',
    '+a', 'a ^ 2', 'substring(b, 1, 2)', "position('a' in b)", 'struct_pack(x := 1)', 'sum(a) filter (where a > 1)',
    "string_agg(b, ',' order by b)", 'a is distinct from 1', "E'x\\n'", 'typeof(a)', '10000000000', 'a::int4', 'a::varchar(10)',
    'a::int[]', 'try_cast(b as integer)', "case b when 'x' then 1 end", "if(a > 1, 'big', 'small')", 'greatest(a, 2)', "a = any(select 1)",
    "nullif(a, 0)", 'row_number() over w', "'it''s'", '"a"', 'ts::date', "strftime(ts, '%Y')", '#1', 'a > 1 and b is not null', 'l[1:2]', 's.x',
  ])('%s', async (expression) => {
    const columns = await inferUnaliased(expression);
    expect(columns.columns).toHaveLength(1);
  });
});

async function inferUnaliased(expression: string): Promise<AssetColumns> {
  const window = expression.includes(' over w') ? ' window w as (order by a)' : '';
  return infer(`select ${expression} from probe_table${window}`);
}

async function inferUnchecked(sql: string): Promise<AssetColumns> {
  const assets = new Map<string, AssetSpec>(Object.keys(TABLES).map((name) => [name, upstreamAsset(name)]));
  assets.set('model', sqlAsset('model', sql, Object.keys(TABLES)));
  const graph = AssetGraph.fromInputs(new Map([...assets].map(([name, asset]) => [name, asset.inputs])));
  const columns = (await inferOutputColumns(assets, graph)).get('model');
  if (columns === undefined) throw new Error('no columns inferred');
  return columns;
}

describe('inferOutputColumns across models', () => {
  test('* expands through two levels of models; a model DuckDB cannot parse is unknown, and so is a * over it', async () => {
    const assets = new Map<string, AssetSpec>([
      ['orders', upstreamAsset('orders')],
      ['level_one', sqlAsset('level_one', 'select *, amount * 2 as doubled from orders', ['orders'])],
      ['level_two', sqlAsset('level_two', 'select * exclude (amount) from level_one', ['level_one'])],
      ['other_dialect', { ...sqlAsset('other_dialect', 'select top 10 * from orders', ['orders']), inputsDeclared: true }],
      ['after_other', sqlAsset('after_other', 'select * from other_dialect', ['other_dialect'])],
    ]);
    const graph = AssetGraph.fromInputs(new Map([...assets].map(([name, asset]) => [name, asset.inputs])));
    const columns = await inferOutputColumns(assets, graph);
    expect(columns.get('level_two')).toMatchObject({ complete: true });
    expect(namesOf(columns.get('level_two') as AssetColumns)).toEqual(['id', 'customer_id', 'status', 'ordered_at', 'doubled']);
    expect(columns.get('level_two')?.columns[4]?.sources).toEqual([{ asset: 'level_one', column: 'doubled', exact: true }]);
    expect(columns.get('other_dialect')).toEqual({ columns: [], complete: false, reason: 'DuckDB cannot parse model "other_dialect", so its columns are not known' });
    expect(columns.get('after_other')?.reason).toBe('the columns of "other_dialect" are not all known (DuckDB cannot parse model "other_dialect", so its columns are not known)');
  });
});

describe('columnPresence', () => {
  test('present, missing only when complete, unknown otherwise; ignoring case', () => {
    const complete: AssetColumns = { columns: [{ name: 'Order_Id', nameCertain: true }], complete: true };
    const partial: AssetColumns = { columns: [{ name: 'x', nameCertain: true }, { name: '(a + 1)', nameCertain: false }], complete: false, reason: 'r' };
    expect(columnPresence(complete, 'order_id')).toBe('present');
    expect(columnPresence(complete, 'amount')).toBe('missing');
    expect(columnPresence(partial, 'X')).toBe('present');
    expect(columnPresence(partial, '(a + 1)')).toBe('unknown');
    expect(columnPresence(undefined, 'x')).toBe('unknown');
  });
});
