import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from './catalog-entry.js';
import { searchCatalog } from './catalog-search.js';

function entry(name: string, fields: Partial<CatalogEntry> = {}): CatalogEntry {
  return { name, kind: 'sql', materialization: 'view', description: null, owner: null, tags: [], file: `models/${name}.sql`, upstream: [], downstream: [], columns: [], columnsFrom: 'declared', ...fields };
}

const column = (name: string, description: string | null = null) => ({ name, type: 'VARCHAR', description });

const ENTRIES: CatalogEntry[] = [
  entry('customers', { description: 'One row per customer', owner: 'crm-team', tags: ['pii'], columns: [column('customer_id'), column('email', 'Where receipts go')] }),
  entry('email_events', { description: 'Opens and clicks', tags: ['marketing'], columns: [column('event_id'), column('sent_at')] }),
  entry('orders', { description: 'Orders; the customer email is not here', owner: 'sales', tags: ['finance'], columns: [column('order_id'), column('customer_id')] }),
  entry('revenue', { kind: 'typescript', description: 'Revenue per customer', owner: 'finance-team', tags: ['finance', 'kpi'], columns: [column('customerRevenue', 'Sum of amounts')] }),
  entry('raw_payments', { kind: 'source', description: null, tags: ['raw'], columns: [column('payment_id')] }),
];

const names = (query: string) => searchCatalog(ENTRIES, query).hits.map((hit) => hit.name);

describe('searchCatalog', () => {
  it('ranks a name match over a column over a tag or owner over a description', () => {
    const result = searchCatalog(ENTRIES, 'email');
    expect(result.total).toBe(3);
    expect(result.hits.map((hit) => [hit.name, hit.score])).toEqual([
      ['email_events', 1000],
      ['customers', 200],
      ['orders', 1],
    ]);
    expect(names('finance')).toEqual(['orders', 'revenue']);
    expect(searchCatalog(ENTRIES, 'finance').hits.map((hit) => hit.score)).toEqual([20, 20]);
    // An owner counts as much as a tag: the shorter name wins the tie.
    expect(names('crm')).toEqual(['customers']);
  });

  it('says which fields matched and where, for highlighting', () => {
    const [customers] = searchCatalog(ENTRIES, 'email').hits.filter((hit) => hit.name === 'customers');
    expect(customers!.matches).toEqual([{ field: 'column', text: 'email', column: 'email', ranges: [[0, 5]] }]);
    const orders = searchCatalog(ENTRIES, 'cust').hits.find((hit) => hit.name === 'orders')!;
    expect(orders.matches).toEqual([
      { field: 'column', text: 'customer_id', column: 'customer_id', ranges: [[0, 4]] },
      { field: 'description', text: 'Orders; the customer email is not here', ranges: [[12, 16]] },
    ]);
    const events = searchCatalog(ENTRIES, 'email').hits[0]!;
    expect(events.matches).toEqual([{ field: 'name', text: 'email_events', ranges: [[0, 5]] }]);
  });

  it('is case-insensitive and matches word prefixes, split at underscores, punctuation and camelCase', () => {
    expect(names('CUSTOMER_ID')).toEqual(['orders', 'customers']);
    expect(names('Revenue')).toEqual(['revenue']);
    const revenue = searchCatalog(ENTRIES, 'rev').hits[0]!;
    expect(revenue.matches.map((match) => [match.field, match.text, match.ranges])).toEqual([
      ['name', 'revenue', [[0, 3]]],
      ['column', 'customerRevenue', [[8, 11]]],
      ['description', 'Revenue per customer', [[0, 3]]],
    ]);
    // A prefix of a word, never the middle of one.
    expect(names('mail')).toEqual([]);
    expect(names('ail')).toEqual([]);
  });

  it('needs every term, each in any field, and a several-word term in a row in one value', () => {
    expect(names('customer finance')).toEqual(['orders', 'revenue']);
    expect(names('customer kpi')).toEqual(['revenue']);
    expect(names('customer nothing')).toEqual([]);
    // `order_id` is one term: order then id, next to each other.
    expect(names('order_id')).toEqual(['orders']);
    expect(names('customer_email')).toEqual(['orders']);
    expect(names('email_customer')).toEqual([]);
  });

  it('doubles a match of the whole value, so the exact name comes first', () => {
    const result = searchCatalog([entry('orders_daily'), entry('orders'), entry('order_items')], 'orders');
    expect(result.hits.map((hit) => [hit.name, hit.score])).toEqual([
      ['orders', 2000],
      ['orders_daily', 1000],
    ]);
  });

  it('limits a term to a field with field:term', () => {
    expect(names('tag:finance')).toEqual(['orders', 'revenue']);
    expect(names('owner:finance')).toEqual(['revenue']);
    expect(names('kind:source')).toEqual(['raw_payments']);
    expect(names('name:email')).toEqual(['email_events']);
    expect(names('col:email')).toEqual(['customers']);
    expect(names('desc:receipts')).toEqual(['customers']);
    expect(searchCatalog(ENTRIES, 'desc:receipts').hits[0]!.matches).toEqual([{ field: 'column_description', text: 'Where receipts go', column: 'email', ranges: [[6, 14]] }]);
    // Not a field: the colon is a separator like any other.
    expect(names('crm:team')).toEqual(['customers']);
  });

  it('merges overlapping ranges of several terms in one value', () => {
    const hit = searchCatalog([entry('customer_orders', { description: 'customer customers' })], 'customer cust').hits[0]!;
    expect(hit.matches).toEqual([
      { field: 'name', text: 'customer_orders', ranges: [[0, 8]] },
      { field: 'description', text: 'customer customers', ranges: [[0, 8], [9, 17]] },
    ]);
  });

  it('finds nothing for an empty query or one of separators only, and keeps `total` beyond the limit', () => {
    expect(searchCatalog(ENTRIES, '')).toEqual({ total: 0, hits: [] });
    expect(searchCatalog(ENTRIES, ' _ -- ')).toEqual({ total: 0, hits: [] });
    const limited = searchCatalog(ENTRIES, 'customer', { limit: 2 });
    expect(limited.total).toBe(3);
    expect(limited.hits.map((hit) => hit.name)).toEqual(['customers', 'orders']);
  });

  it('matches letters beyond ASCII', () => {
    expect(searchCatalog([entry('kunden', { description: 'Größe der Bestellung' })], 'grö').hits[0]!.matches).toEqual([{ field: 'description', text: 'Größe der Bestellung', ranges: [[0, 3]] }]);
  });

  it('runs from its own source text alone, as weir docs embeds it', () => {
    const standalone = new Function(`return (${searchCatalog.toString()});`)() as typeof searchCatalog;
    expect(standalone(ENTRIES, 'email')).toEqual(searchCatalog(ENTRIES, 'email'));
  });
});
