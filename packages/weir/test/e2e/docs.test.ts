/**
 * `weir docs` through the binary on the shop project: the site's files hold every asset, its
 * columns and specific column-lineage edges; people's text is escaped; before a build the columns
 * are the declared ones, after it the warehouse's, and while `weir serve` holds the warehouse
 * the command still works and says why the columns are the declared ones. Bad `--out` folders
 * are refused with exit 2.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '@weir/core';
import { SHOP_ASSETS, shopFiles } from './shop-fixture.js';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

/** A model whose description and column description are HTML a page must show as text. */
const HOSTILE_MODEL = `/*---
description: 'Totals <script>alert("owned")</script> & <b>bold</b>'
owner: "O'Brien <ops>"
tags: [core]
columns:
  status: "ends the script </script><img src=x onerror=alert(1)>"
---*/
select status, count(*) as n from orders group by status
`;

let project: WeirTestProject;

beforeAll(async () => {
  project = await createWeirProject({ ...shopFiles(), 'models/hostile.sql': HOSTILE_MODEL });
});

afterAll(async () => {
  await project?.cleanup();
});

const ASSETS = [...SHOP_ASSETS, 'hostile'];

function read(out: string, file: string): string {
  return readFileSync(join(out, file), 'utf8');
}

/** The catalog embedded in index.html for the page's search. */
function embedded(out: string): { entries: CatalogEntry[]; pages: Record<string, string> } {
  const json = /<script type="application\/json" id="catalog-data">([\s\S]*?)<\/script>/.exec(read(out, 'index.html'))?.[1];
  if (json === undefined) throw new Error('index.html embeds no catalog');
  return JSON.parse(json) as { entries: CatalogEntry[]; pages: Record<string, string> };
}

/** Column edges of an asset page as `from -> column [kind]`, read from its markup. */
function edgesOf(out: string, asset: string): string[] {
  const html = read(out, `assets/${asset}.html`);
  const edges: string[] = [];
  // Only the "comes from" cell marks edges with data-from ("read by" uses data-to).
  for (const row of html.matchAll(/<tr id="[^"]*" data-column="([^"]+)">([\s\S]*?)<\/tr>/g)) {
    for (const edge of row[2]!.matchAll(/data-from="([^"]+)" data-kind="(\w+)"/g)) edges.push(`${edge[1]} -> ${row[1]} [${edge[2]}]`);
  }
  return edges.sort();
}

describe('weir docs', () => {
  it('before any build: every asset, the declared columns, column lineage, escaped text', async () => {
    const out = join(project.root, 'site');
    const result = await project.weir(['docs', '--out', 'site']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toContain(`wrote ${ASSETS.length + 2} pages (${ASSETS.length} assets) to ${out}`);
    expect(result.stdout).toContain(`open file://${out}/index.html`);
    expect(result.stderr).toBe("note: columns are the ones declared in the project's files: nothing is published in prod yet\n");
    expect(readdirSync(join(out, 'assets')).sort()).toEqual(ASSETS.map((asset) => `${asset}.html`).sort());
    expect(existsSync(join(out, 'lineage.html'))).toBe(true);

    const { entries, pages } = embedded(out);
    expect(entries.map((entry) => entry.name).sort()).toEqual([...ASSETS].sort());
    expect(pages.orders).toBe('assets/orders.html');
    const columns = (name: string) => entries.find((entry) => entry.name === name)!.columns.map((column) => `${column.name}:${column.type ?? '?'}`);
    expect(columns('raw_orders')).toEqual(['order_id:BIGINT', 'customer_id:BIGINT', 'amount:DECIMAL(12,2)', 'status:VARCHAR']);
    expect(columns('revenue').map((column) => column.split(':')[0])).toEqual(['customer_id', 'revenue', 'order_count']);
    expect(columns('big_customers')).toEqual(['customer_id:BIGINT', 'revenue:DOUBLE']);
    expect(entries.every((entry) => entry.columnsFrom === 'declared')).toBe(true);

    // Specific column-lineage edges, from the SQL.
    expect(edgesOf(out, 'revenue')).toEqual(['orders.amount -> revenue [derived]', 'orders.customer_id -> customer_id [exact]']);
    expect(edgesOf(out, 'orders')).toEqual([
      'raw_orders.amount -> amount [exact]',
      'raw_orders.customer_id -> customer_id [exact]',
      'raw_orders.order_id -> order_id [exact]',
      'raw_orders.status -> status [exact]',
    ]);
    const orders = read(out, 'assets/orders.html');
    // Read by, on the upstream's page: orders.amount feeds revenue.revenue.
    expect(orders).toMatch(/data-column="amount">[\s\S]*?data-to="revenue.revenue" data-kind="derived"><a href="revenue.html#column-revenue">/);
    expect(orders).toContain('<tr data-check="unique_order_id"><td>unique_order_id</td><td>unique</td><td>error</td><td><code>columns: [&quot;order_id&quot;]</code></td><td><span class="note">not recorded</span></td></tr>');
    expect(orders).toContain('reads: <span class="upstream"><a href="raw_orders.html">raw_orders</a></span>');
    expect(orders).toContain('<a href="hostile.html">hostile</a>');
    // A TypeScript asset without declared lineage stays table-level.
    expect(read(out, 'assets/big_customers.html')).toContain('Table-level lineage only');
    expect(read(out, 'lineage.html')).toMatch(/<div class="layer" data-layer="3"><h3>layer 3<\/h3><a href="assets\/big_customers.html" data-asset="big_customers">/);

    // People's text is text: escaped in pages, unable to close the embedded script.
    const hostile = read(out, 'assets/hostile.html');
    expect(hostile).toContain('<p class="description">Totals &lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>');
    expect(hostile).toContain('<span class="owner">O&#39;Brien &lt;ops&gt;</span>');
    expect(hostile).toContain('<td>ends the script &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</td>');
    for (const page of ['index.html', 'assets/hostile.html', 'lineage.html']) {
      const html = read(out, page);
      expect(html, page).not.toContain('<script>alert');
      expect(html, page).not.toContain('<img src=x');
    }
    const index = read(out, 'index.html');
    expect(index).toContain('ends the script \\u003c/script>\\u003cimg src=x onerror=alert(1)>');
    // Two script elements: the embedded catalog and the search; nothing else closes one.
    expect(index.match(/<\/script>/g)).toHaveLength(2);
    expect(embedded(out).entries.find((entry) => entry.name === 'hostile')!.description).toBe('Totals <script>alert("owned")</script> & <b>bold</b>');
  });

  it('after a build: the warehouse columns and the last check results; a second export replaces the first', async () => {
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(0);
    project.remove('models/hostile.sql');
    const result = await project.weir(['docs', '--out', 'site']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stderr).toBe('');
    const out = join(project.root, 'site');
    // The page of the removed asset is gone.
    expect(readdirSync(join(out, 'assets')).sort()).toEqual(SHOP_ASSETS.map((asset) => `${asset}.html`).sort());
    const { entries } = embedded(out);
    expect(entries.every((entry) => entry.columnsFrom === 'warehouse')).toBe(true);
    // The built revenue's types come from the warehouse (sum of DECIMAL(12,2) is DECIMAL(38,2)).
    expect(entries.find((entry) => entry.name === 'revenue')!.columns).toEqual([
      { name: 'customer_id', type: 'BIGINT', description: null },
      { name: 'revenue', type: 'DECIMAL(38,2)', description: null },
      { name: 'order_count', type: 'BIGINT', description: null },
    ]);
    const orders = read(out, 'assets/orders.html');
    expect(orders).toContain('As the warehouse describes the live version.');
    expect(orders).toMatch(/<tr data-check="unique_order_id">.*<span class="pass">passed<\/span>/);
    expect(orders).toMatch(/Live in prod: version <code>[0-9a-f]+<\/code>, published [^,]+, 4 rows\./);
  });

  it('while weir serve holds the warehouse: works from the declared columns and says why', async () => {
    const server = project.spawnWeir(['serve', '--port', '0']);
    await server.waitForOutput(/at (http:\/\/127\.0\.0\.1:\d+)/);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stdout())![1]!;
    const result = await project.weir(['docs', '--out', 'served-site']);
    server.kill('SIGTERM');
    await server.exited;
    expect(result.code, show(result)).toBe(0);
    expect(result.stderr).toBe(`note: columns are the ones declared in the project's files: the warehouse is held by weir serve (pid ${server.pid}, ${url}); stop it and run weir docs again for the warehouse's columns\n`);
    const out = join(project.root, 'served-site');
    const { entries } = embedded(out);
    expect(entries.find((entry) => entry.name === 'orders')!.columns.map((column) => column.name)).toEqual(['order_id', 'customer_id', 'amount', 'status']);
    expect(read(out, 'index.html')).toContain(`Columns as declared in the project&#39;s files: the warehouse is held by weir serve (pid ${server.pid}`);
    // Recorded state is still read: the live version and its check results.
    expect(read(out, 'assets/orders.html')).toMatch(/<tr data-check="unique_order_id">.*<span class="pass">passed<\/span>/);
  });

  it('refuses an --out that is a file, a folder of other files, or one that cannot be made (exit 2)', async () => {
    writeFileSync(join(project.root, 'notes.txt'), 'mine\n');
    const file = await project.weir(['docs', '--out', 'notes.txt']);
    expect(file.code, show(file)).toBe(2);
    expect(file.stderr).toContain(`--out ${join(project.root, 'notes.txt')} is a file, not a folder`);

    const models = await project.weir(['docs', '--out', 'models']);
    expect(models.code, show(models)).toBe(2);
    expect(models.stderr).toContain(`--out ${join(project.root, 'models')} is not empty and holds no earlier weir docs export; weir docs will not write over its files`);
    expect(readdirSync(join(project.root, 'models')).sort()).toEqual(['big_customers.ts', 'calendar.sql', 'orders.sql', 'revenue.sql', 'status_counts.sql']);

    const under = await project.weir(['docs', '--out', 'notes.txt/site']);
    expect(under.code, show(under)).toBe(2);
    expect(under.stderr).toContain(`cannot create --out ${join(project.root, 'notes.txt', 'site')}`);

  });
});
