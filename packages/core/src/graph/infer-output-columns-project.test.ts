import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readerCall } from '../engines/duckdb/duckdb-file-reader.js';
import { toDuckDBParams } from '../engines/duckdb/duckdb-values.js';
import { loadProject } from '../project/load-project.js';
import type { FileSourceAsset, Project, SqlAsset } from '../project/project-model.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import { buildAssetGraph } from './build-asset-graph.js';
import { findTableReferences } from './find-table-references.js';
import type { DescribeSource } from './input-asset-columns.js';
import { inferOutputColumns } from './infer-output-columns.js';
import type { AssetColumns } from './output-columns.js';

// A shop in the demo's shape: CSV sources with typed columns, a Parquet source, the demo's
// staging models and one of its marts (copied from packages/weir/src/demo), and models that
// select * two levels down.
const SHOP: Record<string, string> = {
  'weir.yaml': 'name: shop\n',
  'data/customers.csv': 'customer_id,first_name,last_name,email,country,signup_date,marketing_opt_in\n1,Ada,Lovelace,ada@x.org,gb,2024-01-02,true\n',
  'data/payments.csv': 'payment_id,order_id,paid_at,method,status,amount,currency\n1,1,2024-01-03 10:00:00,card,captured,10.50,EUR\n',
  'sources/shop.yaml': `
    source: shop_files
    tables:
      - name: raw_customers
        path: data/customers.csv
        options:
          columns: { customer_id: BIGINT, signup_date: DATE, marketing_opt_in: BOOLEAN }
      - name: raw_orders
        path: data/orders.parquet
      - name: raw_payments
        path: data/payments.csv
        options:
          timestamp_format: "%Y-%m-%d %H:%M:%S"
          columns:
            payment_id: BIGINT
            order_id: BIGINT
            paid_at: TIMESTAMP
            method: VARCHAR
            status: VARCHAR
            amount: DECIMAL(12,2)
            currency: VARCHAR
  `,
  'models/staging/stg_customers.sql': `
    select
      customer_id,
      trim(first_name) || ' ' || trim(last_name) as customer_name,
      lower(trim(email)) as email,
      upper(country) as country_code,
      signup_date as signed_up_on,
      marketing_opt_in
    from raw_customers
    where customer_id is not null
  `,
  'models/staging/stg_orders.sql': `
    select
      order_id,
      customer_id,
      ordered_at,
      cast(ordered_at as date) as order_date,
      lower(trim(status)) as status,
      channel,
      updated_at
    from raw_orders
    where order_id is not null
  `,
  'models/staging/stg_payments.sql': `
    select payment_id, order_id, paid_at, method, status as payment_status, amount, currency
    from raw_payments
  `,
  'models/marts/customer_payments.sql': `
    with customer_orders as (
      select o.customer_id, count(*) as order_count, min(o.order_date) as first_order_date
      from stg_orders as o
      where o.status in ('placed', 'shipped', 'delivered')
      group by o.customer_id
    ),
    customer_payments as (
      select
        o.customer_id,
        sum(case when p.payment_status = 'captured' then p.amount else 0 end) as total_paid
      from stg_payments as p
      join stg_orders as o on o.order_id = p.order_id
      group by o.customer_id
    )
    select
      c.customer_id,
      c.customer_name,
      c.country_code,
      cast(coalesce(co.order_count, 0) as integer) as order_count,
      co.first_order_date,
      cast(coalesce(cp.total_paid, 0) as decimal(18, 2)) as total_paid
    from stg_customers as c
    left join customer_orders as co on co.customer_id = c.customer_id
    left join customer_payments as cp on cp.customer_id = c.customer_id
  `,
  'models/marts/customer_flags.sql': `
    select *, order_count > 0 as has_ordered, row_number() over (order by total_paid desc) as paid_rank
    from customer_payments
  `,
  'models/marts/customer_report.sql': `
    select * exclude (paid_rank) from customer_flags where has_ordered
  `,
  'models/marts/raw_customer_copy.sql': `
    select * from raw_customers
  `,
};

let root: string;
let project: Project;
beforeAll(async () => {
  root = await writeTempProject(SHOP);
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  await connection.run(
    `COPY (select 1::BIGINT as order_id, 1::BIGINT as customer_id, timestamp '2024-01-02 10:00' as ordered_at, 'PLACED' as status, 'web' as channel, timestamp '2024-01-02 11:00' as updated_at) TO '${path.join(root, 'data/orders.parquet')}' (FORMAT parquet)`,
  );
  connection.closeSync();
  project = await loadProject(root);
});
afterAll(async () => {
  await removeTempProject(root);
});

/** Describes a file source the way a DuckDB engine would: DESCRIBE over its reader, which samples the files. */
async function duckdbDescriber(): Promise<{ describe: DescribeSource; close: () => void }> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const describe: DescribeSource = async (asset: FileSourceAsset) => {
    const call = readerCall(asset.read);
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${call.sql}`, toDuckDBParams(call.params));
    return reader.getRowsJS().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
  };
  return { describe, close: () => connection.closeSync() };
}

const namesOf = (columns: AssetColumns | undefined) => columns?.columns.map((column) => column.name);

describe('inferOutputColumns on a project', () => {
  test('without describing files: models naming their columns are complete, stars over files are not', async () => {
    const columns = await inferOutputColumns(project.assets, buildAssetGraph(project));
    expect(namesOf(columns.get('stg_customers'))).toEqual(['customer_id', 'customer_name', 'email', 'country_code', 'signed_up_on', 'marketing_opt_in']);
    expect(namesOf(columns.get('stg_orders'))).toEqual(['order_id', 'customer_id', 'ordered_at', 'order_date', 'status', 'channel', 'updated_at']);
    expect(namesOf(columns.get('customer_payments'))).toEqual(['customer_id', 'customer_name', 'country_code', 'order_count', 'first_order_date', 'total_paid']);
    expect(namesOf(columns.get('customer_flags'))).toEqual(['customer_id', 'customer_name', 'country_code', 'order_count', 'first_order_date', 'total_paid', 'has_ordered', 'paid_rank']);
    expect(namesOf(columns.get('customer_report'))).toEqual(['customer_id', 'customer_name', 'country_code', 'order_count', 'first_order_date', 'total_paid', 'has_ordered']);
    for (const name of ['stg_customers', 'stg_orders', 'stg_payments', 'customer_payments', 'customer_flags', 'customer_report']) expect(columns.get(name)?.complete, name).toBe(true);

    // Typed CSV columns are known, but the header may hold more; Parquet files carry their own.
    expect(columns.get('raw_customers')).toMatchObject({ complete: false, columns: [{ name: 'customer_id', type: 'BIGINT' }, { name: 'signup_date' }, { name: 'marketing_opt_in' }] });
    expect(columns.get('raw_orders')).toEqual({ columns: [], complete: false, reason: 'the columns of "raw_orders" come from its parquet files' });
    expect(columns.get('raw_customer_copy')?.complete).toBe(false);
    expect(columns.get('raw_customer_copy')?.reason).toContain('raw_customers');

    // Lineage, one hop: each column's direct inputs.
    expect(columns.get('stg_customers')?.columns[1]?.sources).toEqual([
      { asset: 'raw_customers', column: 'first_name', exact: false },
      { asset: 'raw_customers', column: 'last_name', exact: false },
    ]);
    expect(columns.get('customer_payments')?.columns.find((column) => column.name === 'total_paid')?.sources).toEqual([
      { asset: 'stg_payments', column: 'payment_status', exact: false },
      { asset: 'stg_payments', column: 'amount', exact: false },
    ]);
    expect(columns.get('customer_flags')?.columns[0]).toEqual({ name: 'customer_id', type: 'BIGINT', nameCertain: true, sources: [{ asset: 'customer_payments', column: 'customer_id', exact: true }] });
  });

  test('describing the files makes every asset complete, and every list is what DuckDB builds', async () => {
    const { describe, close } = await duckdbDescriber();
    const started = performance.now();
    const columns = await inferOutputColumns(project.assets, buildAssetGraph(project), { describeSource: describe });
    const withDescribe = performance.now() - started;
    const plainStarted = performance.now();
    await inferOutputColumns(project.assets, buildAssetGraph(project));
    const plain = performance.now() - plainStarted;
    close();
    console.log(`shop project (${project.assets.size} assets): ${plain.toFixed(1)} ms without describing files, ${withDescribe.toFixed(1)} ms describing 3 sources`);

    for (const name of project.assets.keys()) expect(columns.get(name)?.complete, `${name}: ${columns.get(name)?.reason}`).toBe(true);
    expect(namesOf(columns.get('raw_customer_copy'))).toEqual(['customer_id', 'first_name', 'last_name', 'email', 'country', 'signup_date', 'marketing_opt_in']);
    // The oracle: build every asset in DuckDB (sources as tables, models as views) and describe it.
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    for (const name of buildAssetGraph(project).order) {
      const asset = project.assets.get(name);
      if (asset?.kind === 'source') {
        const call = readerCall(asset.read);
        await connection.run(`CREATE TABLE ${name} AS SELECT * FROM ${call.sql}`, toDuckDBParams(call.params));
      } else if (asset?.kind === 'sql') await connection.run(`CREATE VIEW ${name} AS ${asset.sql}`);
      const described = (await connection.runAndReadAll(`DESCRIBE ${name}`)).getRowsJS();
      expect(namesOf(columns.get(name)), name).toEqual(described.map((row) => String(row[0])));
      for (const [index, column] of (columns.get(name)?.columns ?? []).entries()) {
        if (column.type !== undefined) expect(column.type, `${name}.${column.name}`).toBe(String(described[index]?.[1]));
      }
    }
    connection.closeSync();
  });

  test('reuses the statements findTableReferences parsed', async () => {
    const models = [...project.assets.values()].filter((asset): asset is SqlAsset => asset.kind === 'sql');
    const { statements } = await findTableReferences(models, project.assets.keys());
    expect(statements.size).toBe(models.length);
    const reused = await inferOutputColumns(project.assets, buildAssetGraph(project), { statements });
    expect(reused).toEqual(await inferOutputColumns(project.assets, buildAssetGraph(project)));
  });
});

test('a generated project of 1,000 models', async () => {
  const files: Record<string, string> = { 'weir.yaml': 'name: big\n' };
  const count = 1000;
  const model = (index: number) => `model_${String(index).padStart(4, '0')}`;
  for (let index = 0; index < count; index++) {
    const [left, right] = [model(Math.floor(index / 2)), model(index - 1)];
    files[`models/layer_${index % 10}/${model(index)}.sql`] =
      index === 0
        ? 'select 1 as id, 10.5 as amount, 1 as doubled\n'
        : index % 2 === 0
          ? `with base as (\n  select a.id, a.amount + b.amount as amount\n  from ${left} a join ${right} b using (id)\n)\nselect id, sum(amount) as amount, count(*) as doubled from base group by id\n`
          : `select * exclude (doubled), amount * 2 as doubled from ${right} where amount > 0\n`;
  }
  const big = await writeTempProject(files);
  try {
    const loaded = await loadProject(big);
    const graph = buildAssetGraph(loaded);
    const models = [...loaded.assets.values()].filter((asset): asset is SqlAsset => asset.kind === 'sql');
    const parseStarted = performance.now();
    const { statements } = await findTableReferences(models, loaded.assets.keys());
    const parseMs = performance.now() - parseStarted;
    const started = performance.now();
    const columns = await inferOutputColumns(loaded.assets, graph, { statements });
    const inferMs = performance.now() - started;
    const coldStarted = performance.now();
    await inferOutputColumns(loaded.assets, graph);
    const coldMs = performance.now() - coldStarted;
    console.log(
      `1,000 models: parse + resolve ${parseMs.toFixed(0)} ms; columns from those statements ${inferMs.toFixed(0)} ms ` +
        `(${((inferMs * 1000) / count).toFixed(0)} us per model); parsing again inside ${coldMs.toFixed(0)} ms`,
    );
    expect(columns.get(model(999))).toMatchObject({ complete: true, columns: [{ name: 'id' }, { name: 'amount' }, { name: 'doubled' }] });
    expect([...columns.values()].every((entry) => entry.complete)).toBe(true);
  } finally {
    await removeTempProject(big);
  }
});
