import { describe, expect, it } from 'vitest';
import { rewriteReferences } from './rewrite-references.js';

describe('rewriteReferences', () => {
  it('replaces exactly the recorded spans, keeping everything else (and line numbers) intact', () => {
    const sql = 'select o.id -- from orders\nfrom orders o\njoin "Customers" c on c.id = o.cid';
    const rewritten = rewriteReferences(
      sql,
      [
        { asset: 'orders', offset: sql.indexOf('orders o'), length: 6, aliased: true },
        { asset: 'Customers', offset: sql.indexOf('"Customers"'), length: 11, aliased: true },
      ],
      (asset) => `"v"."${asset}__1"`,
    );
    expect(rewritten).toBe('select o.id -- from orders\nfrom "v"."orders__1" o\njoin "v"."Customers__1" c on c.id = o.cid');
    expect(rewritten.split('\n')).toHaveLength(3);
  });

  it('keeps the written name as the alias of an unaliased reference, so qualified columns still bind', () => {
    const sql = 'select orders.id, "Orders".* from orders join "Orders" using (id)';
    const rewritten = rewriteReferences(
      sql,
      [
        { asset: 'orders', offset: sql.indexOf('orders join'), length: 6, aliased: false },
        { asset: 'orders', offset: sql.indexOf('"Orders" using'), length: 8, aliased: false },
      ],
      () => '"v"."orders__1"',
    );
    expect(rewritten).toBe('select orders.id, "Orders".* from "v"."orders__1" AS orders join "v"."orders__1" AS "Orders" using (id)');
  });
});
