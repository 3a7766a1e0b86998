import { afterAll, describe, expect, test } from 'vitest';
import { WeirError } from '../errors/weir-error.js';
import { loadProject } from '../project/load-project.js';
import { removeTempProject, writeTempProject } from '../project/temp-project.js';
import type { LineageWalk } from './lineage-model.js';
import { buildProjectLineage, type ProjectLineage } from './project-lineage.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map(removeTempProject));
});

async function lineageOf(files: Record<string, string>): Promise<ProjectLineage> {
  const root = await writeTempProject({ 'weir.yaml': 'name: shop\n', ...files });
  roots.push(root);
  return buildProjectLineage((await loadProject(root)).assets);
}

/** Direct upstream of one column as `asset.column:kind` strings (`asset.*` for a whole asset). */
function direct(lineage: ProjectLineage, asset: string, column: string): string[] {
  const found = lineage.assets.get(asset)?.columns.find((candidate) => candidate.name === column);
  if (found === undefined) throw new Error(`${asset}.${column} not listed`);
  return found.upstream.map((edge) => `${edge.asset}.${edge.column ?? '*'}:${edge.kind}`).sort();
}

/** Reached nodes as `asset.column:kind`. */
function reached(walk: LineageWalk): string[] {
  return walk.reached.map((node) => `${node.asset}.${node.column ?? '*'}:${node.kind}`).sort();
}

// Base tables with known columns: constants, so they have no upstream of their own.
const ORDERS = `select * from (values (1, 10, 'web', date '2024-01-01', 'placed')) as t(order_id, customer_id, channel, order_date, status)`;
const ITEMS = `select * from (values (1, 1, 2, 9.5)) as t(order_id, line_number, quantity, unit_price)`;
const CUSTOMERS = `select * from (values (10, 'Ada', 'gb')) as t(customer_id, name, country)`;

describe('column lineage of SQL models', () => {
  test('renames are exact, expressions and aggregates derived, joins and CTEs collapse to the tables read', async () => {
    const lineage = await lineageOf({
      'models/orders.sql': ORDERS,
      'models/items.sql': ITEMS,
      'models/customers.sql': CUSTOMERS,
      'models/stg_items.sql': 'select order_id as oid, quantity * unit_price as line_amount, cast(quantity as bigint) as qty from items',
      'models/revenue.sql': `
        with totals as (select oid, sum(line_amount) as amount from stg_items group by oid)
        select o.order_date as day, c.country, sum(t.amount) as revenue,
               case when count(*) > 1 then 'many' else 'one' end as size, 42 as answer
        from orders o join customers c on c.customer_id = o.customer_id join totals t on t.oid = o.order_id
        group by all
      `,
    });
    expect(direct(lineage, 'stg_items', 'oid')).toEqual(['items.order_id:exact']);
    expect(direct(lineage, 'stg_items', 'line_amount')).toEqual(['items.quantity:derived', 'items.unit_price:derived']);
    expect(direct(lineage, 'stg_items', 'qty')).toEqual(['items.quantity:derived']);
    expect(direct(lineage, 'revenue', 'day')).toEqual(['orders.order_date:exact']);
    expect(direct(lineage, 'revenue', 'country')).toEqual(['customers.country:exact']);
    // Through the CTE: the model's direct upstream is the asset stg_items, never the CTE.
    expect(direct(lineage, 'revenue', 'revenue')).toEqual(['stg_items.line_amount:derived']);
    expect(direct(lineage, 'revenue', 'size')).toEqual([]);
    expect(direct(lineage, 'revenue', 'answer')).toEqual([]);
    const revenue = lineage.assets.get('revenue');
    expect(revenue).toMatchObject({ complete: true, tableLevel: false, unlistedUpstream: [] });

    // End to end: revenue.revenue goes back through stg_items to items, derived all the way.
    expect(reached(lineage.upstreamOf('revenue', 'revenue'))).toEqual(['items.quantity:derived', 'items.unit_price:derived', 'stg_items.line_amount:derived']);
    const path = lineage.upstreamOf('revenue', 'revenue').reached.find((node) => node.column === 'unit_price')?.path;
    expect(path).toEqual([
      { asset: 'stg_items', column: 'line_amount', kind: 'derived' },
      { asset: 'items', column: 'unit_price', kind: 'derived' },
    ]);
    // A rename chain stays exact; one derived hop makes the rest derived.
    const downstream = lineage.downstreamOf('items', 'order_id');
    // revenue joins on oid but does not output it: a join key feeds no column.
    expect(reached(downstream)).toEqual(['stg_items.oid:exact']);
    expect(downstream.reached.find((node) => node.asset === 'stg_items')?.exact).toBe(true);
    expect(reached(lineage.downstreamOf('orders', 'order_date'))).toEqual(['revenue.day:exact']);
  });

  test('UNION feeds a column from every branch; a column copied in every branch stays exact', async () => {
    const lineage = await lineageOf({
      'models/orders.sql': ORDERS,
      'models/customers.sql': CUSTOMERS,
      'models/ids.sql': 'select customer_id as id, channel as label from orders union all select customer_id, upper(name) from customers',
    });
    expect(direct(lineage, 'ids', 'id')).toEqual(['customers.customer_id:exact', 'orders.customer_id:exact']);
    expect(direct(lineage, 'ids', 'label')).toEqual(['customers.name:derived', 'orders.channel:exact']);
    expect(reached(lineage.downstreamOf('customers', 'name'))).toEqual(['ids.label:derived']);
  });

  test('* expands over known columns as exact edges, EXCLUDE and REPLACE included', async () => {
    const lineage = await lineageOf({
      'models/orders.sql': ORDERS,
      'models/wide.sql': 'select * exclude (status) replace (upper(channel) as channel) from orders',
      'models/wider.sql': 'select w.*, 1 as one from wide w',
    });
    expect(lineage.assets.get('wide')?.columns.map((column) => column.name)).toEqual(['order_id', 'customer_id', 'channel', 'order_date']);
    expect(direct(lineage, 'wide', 'order_id')).toEqual(['orders.order_id:exact']);
    expect(direct(lineage, 'wide', 'channel')).toEqual(['orders.channel:derived']);
    const upstream = lineage.upstreamOf('wider', 'order_date');
    expect(reached(upstream)).toEqual(['orders.order_date:exact', 'wide.order_date:exact']);
    expect(upstream.reached.every((node) => node.exact)).toBe(true);
    expect(() => lineage.upstreamOf('wider', 'status')).toThrow(WeirError);
  });

  test('an unaliased cast is listed under a guessed name, but the asset still has no unlisted columns', async () => {
    const lineage = await lineageOf({ 'models/orders.sql': ORDERS, 'models/casted.sql': 'select order_id, order_date::varchar from orders' });
    const casted = lineage.assets.get('casted');
    expect(casted).toMatchObject({ complete: true, unlistedUpstream: [] });
    expect(casted?.reason).toContain('alias');
    expect(casted?.columns[1]?.upstream).toEqual([{ asset: 'orders', column: 'order_date', kind: 'derived' }]);
  });

  test('* over a source whose columns are not known is table-level: unknown edges, and a note for columns not listed', async () => {
    const lineage = await lineageOf({
      'data/events.csv': 'event_id,kind\n1,click\n',
      'sources/files.yaml': 'source: files\ntables:\n  - name: raw_events\n    path: data/events.csv\n',
      'models/events.sql': 'select * from raw_events',
      'models/event_kinds.sql': 'select kind, count(*) as n from events group by kind',
    });
    const events = lineage.assets.get('events');
    expect(events).toMatchObject({ complete: false, tableLevel: true, columns: [], unlistedUpstream: [{ asset: 'raw_events', kind: 'unknown' }] });
    expect(events?.reason).toContain('raw_events');
    // `kind` is read from events by name: the edge is exact, to a column events does not list.
    expect(direct(lineage, 'event_kinds', 'kind')).toEqual(['events.kind:exact']);
    const upstream = lineage.upstreamOf('event_kinds', 'kind');
    expect(reached(upstream)).toEqual(['events.kind:exact', 'raw_events.*:unknown']);
    const fromSource = lineage.downstreamOf('raw_events', 'kind');
    expect(fromSource.note).toContain('table-level');
    expect(reached(fromSource)).toEqual(['event_kinds.kind:unknown', 'events.*:unknown']);
  });

  test('a column whose sources cannot be told has an unknown edge from every input', async () => {
    const lineage = await lineageOf({
      'data/a.csv': 'id,x\n1,2\n',
      'data/b.csv': 'id,y\n1,2\n',
      'sources/files.yaml': 'source: files\ntables:\n  - name: raw_a\n    path: data/a.csv\n  - name: raw_b\n    path: data/b.csv\n',
      // `x` could be a column of either file: Weir does not guess.
      'models/joined.sql': 'select x, raw_b.y from raw_a join raw_b using (id)',
      'models/ranged.sql': 'select range as n from range(3)',
    });
    expect(direct(lineage, 'joined', 'x')).toEqual(['raw_a.*:unknown', 'raw_b.*:unknown']);
    expect(direct(lineage, 'joined', 'y')).toEqual(['raw_b.y:exact']);
    expect(lineage.assets.get('joined')?.tableLevel).toBe(false);
    // A table function: its column is named, but where its values come from is not known (and no asset feeds it).
    expect(lineage.assets.get('ranged')).toMatchObject({ inputs: [], columns: [{ name: 'n', known: false, upstream: [] }] });
    expect(lineage.assets.get('joined')?.columns.map((column) => column.known)).toEqual([false, true]);
    expect(reached(lineage.downstreamOf('raw_a', 'x'))).toEqual(['joined.x:unknown']);
  });
});

describe('TypeScript assets', () => {
  const TS_ASSETS = {
    'models/orders.sql': ORDERS,
    'models/customers.sql': CUSTOMERS,
    'models/declared.ts': `
      import { defineAsset } from 'weir';
      export const declared = defineAsset({
        inputs: ['orders', 'customers'],
        columns: { order_id: 'BIGINT', who: 'VARCHAR', score: 'DOUBLE', note: 'VARCHAR' },
        lineage: { order_id: { exact: 'orders.order_id' }, who: ['customers.name', 'customers.country'], score: [] },
        async run() { return []; },
      });
    `,
    'models/opaque.ts': `
      import { defineAsset } from 'weir';
      export const opaque = defineAsset({ inputs: ['orders'], async run() { return []; } });
    `,
    'models/after.sql': 'select d.order_id, d.note from declared d',
  };

  test('declared lineage gives column edges; undeclared columns and undeclared assets stay table-level', async () => {
    const lineage = await lineageOf(TS_ASSETS);
    expect(direct(lineage, 'declared', 'order_id')).toEqual(['orders.order_id:exact']);
    expect(direct(lineage, 'declared', 'who')).toEqual(['customers.country:derived', 'customers.name:derived']);
    expect(direct(lineage, 'declared', 'score')).toEqual([]);
    expect(direct(lineage, 'declared', 'note')).toEqual(['customers.*:unknown', 'orders.*:unknown']);
    expect(lineage.assets.get('declared')).toMatchObject({ complete: true, tableLevel: false });
    expect(lineage.assets.get('opaque')).toMatchObject({ complete: false, tableLevel: true, columns: [], unlistedUpstream: [{ asset: 'orders', kind: 'unknown' }] });

    const upstream = lineage.upstreamOf('after', 'order_id');
    expect(reached(upstream)).toEqual(['declared.order_id:exact', 'orders.order_id:exact']);
    expect(upstream.reached.every((node) => node.exact)).toBe(true);
    // note is unknown: it may come from any column of either input.
    expect(reached(lineage.upstreamOf('after', 'note'))).toEqual(['customers.*:unknown', 'declared.note:exact', 'orders.*:unknown']);
    // A change to orders.status reaches opaque and declared.note (they may read it), not declared.who.
    expect(reached(lineage.downstreamOf('orders', 'status'))).toEqual(['after.note:unknown', 'declared.note:unknown', 'opaque.*:unknown']);
  });

  test('lineage naming an asset that is not an input, or a column not declared, is a config error at the definition', async () => {
    const root = await writeTempProject({
      'weir.yaml': 'name: shop\n',
      'models/orders.sql': ORDERS,
      'models/bad.ts': `
        import { defineAsset } from 'weir';
        export const bad = defineAsset({
          inputs: ['orders'],
          columns: { id: 'BIGINT' },
          lineage: { id: { exact: 'order.order_id' }, idd: ['orders.order_id'], other: ['orders'] },
          async run() { return []; },
        });
      `,
    });
    roots.push(root);
    const error = await loadProject(root).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeirError);
    const message = (error as WeirError).describe();
    expect(message).toContain('models/bad.ts:2');
    expect(message).toContain('"order" is not one of the asset\'s inputs');
    expect(message).toContain('did you mean "orders"?');
    expect(message).toContain('lineage names column "idd", which is not in the asset\'s columns');
    expect(message).toContain('did you mean "id"?');
    expect(message).toContain('lineage names column "other"');
  });

  test('lineage naming a column its input does not have is a config error once the columns are known', async () => {
    const root = await writeTempProject({
      'weir.yaml': 'name: shop\n',
      'models/orders.sql': ORDERS,
      'models/typo.ts': `
        import { defineAsset } from 'weir';
        export const typo = defineAsset({
          inputs: ['orders'],
          lineage: { id: { exact: 'orders.order_idd' } },
          async run() { return []; },
        });
      `,
    });
    roots.push(root);
    const error = await loadProject(root).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', hint: 'did you mean "order_id"?' });
    expect((error as WeirError).describe()).toContain('models/typo.ts:2: lineage of "id" in typo reads "orders.order_idd", but orders has no column "order_idd"');
  });
});

describe('walk errors and whole assets', () => {
  test('an unknown asset or column is an error with a did-you-mean; a whole asset walks every column', async () => {
    const lineage = await lineageOf({ 'models/orders.sql': ORDERS, 'models/daily.sql': 'select order_date, count(*) as n from orders group by 1' });
    expect(() => lineage.upstreamOf('dayly')).toThrow(expect.objectContaining({ code: 'ASSET_UNKNOWN', hint: 'did you mean "daily"?' }));
    expect(() => lineage.downstreamOf('orders', 'order_dat')).toThrow(expect.objectContaining({ code: 'COLUMN_UNKNOWN', hint: 'did you mean "orders.order_date"?' }));
    // Names compare ignoring case, as DuckDB's do.
    expect(lineage.upstreamOf('DAILY', 'ORDER_DATE').start).toEqual({ asset: 'daily', column: 'order_date' });
    expect(reached(lineage.downstreamOf('orders'))).toEqual(['daily.order_date:exact']);
    expect(reached(lineage.upstreamOf('daily'))).toEqual(['orders.order_date:exact']);
  });
});
