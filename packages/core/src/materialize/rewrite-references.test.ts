import { describe, expect, it } from 'vitest';
import { rewriteReferences } from './rewrite-references.js';

describe('rewriteReferences', () => {
  it('replaces exactly the recorded spans, keeping everything else (and line numbers) intact', () => {
    const sql = 'select o.id -- from orders\nfrom orders o\njoin "Customers" c on c.id = o.cid';
    const rewritten = rewriteReferences(
      sql,
      [
        { asset: 'orders', offset: sql.indexOf('orders o'), length: 6 },
        { asset: 'Customers', offset: sql.indexOf('"Customers"'), length: 11 },
      ],
      (asset) => `"v"."${asset}__1"`,
    );
    expect(rewritten).toBe('select o.id -- from orders\nfrom "v"."orders__1" o\njoin "v"."Customers__1" c on c.id = o.cid');
    expect(rewritten.split('\n')).toHaveLength(3);
  });
});
