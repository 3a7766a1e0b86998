/**
 * The tables a query reads, found in DuckDB's JSON AST: every `BASE_TABLE` node that is not a
 * common table expression in scope where it appears.
 */

/** A table named in a query, as the parser saw it. */
export interface TableMention {
  catalog: string;
  schema: string;
  name: string;
  /** UTF-8 byte offset of the name in the query, or undefined when the parser does not know it. */
  byteOffset: number | undefined;
  /** True when the query gives the table an alias (`from orders o`). */
  aliased: boolean;
}

/**
 * Lists the tables a serialized statement reads, CTEs excluded. A CTE is in scope in the query
 * that defines it and in the bodies of the CTEs defined after it (DuckDB binds a name in an
 * earlier CTE's body to the table, not to a later CTE); a recursive CTE also sees itself.
 *
 * @example
 * ```ts
 * tableMentions(ast.statements[0].node); // [{ catalog: '', schema: '', name: 'orders', byteOffset: 14, aliased: false }]
 * ```
 */
export function tableMentions(statement: unknown): TableMention[] {
  const found: TableMention[] = [];
  walk(statement, new Set(), found);
  return found;
}

function walk(value: unknown, ctes: ReadonlySet<string>, found: TableMention[]): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, ctes, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as Record<string, unknown>;
  if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string') {
    const catalog = typeof node.catalog_name === 'string' ? node.catalog_name : '';
    const schema = typeof node.schema_name === 'string' ? node.schema_name : '';
    const isCte = catalog === '' && schema === '' && ctes.has(node.table_name.toLowerCase());
    if (!isCte) found.push({ catalog, schema, name: node.table_name, byteOffset: knownOffset(node.query_location), aliased: typeof node.alias === 'string' && node.alias !== '' });
  }
  let scope = ctes;
  if (node.type === 'RECURSIVE_CTE_NODE' && typeof node.cte_name === 'string') scope = withName(scope, node.cte_name);
  const entries = (node.cte_map as { map?: unknown } | undefined)?.map;
  if (Array.isArray(entries)) {
    for (const entry of entries as Array<{ key?: unknown; value?: unknown }>) {
      walk(entry.value, scope, found);
      if (typeof entry.key === 'string') scope = withName(scope, entry.key);
    }
  }
  for (const [field, child] of Object.entries(node)) {
    if (field !== 'cte_map' && child !== null && typeof child === 'object') walk(child, scope, found);
  }
}

function withName(scope: ReadonlySet<string>, name: string): ReadonlySet<string> {
  const next = new Set(scope);
  next.add(name.toLowerCase());
  return next;
}

/** DuckDB writes an unknown location as 2^64-1, which JSON.parse rounds to 18446744073709552000. */
function knownOffset(location: unknown): number | undefined {
  return typeof location === 'number' && Number.isSafeInteger(location) && location >= 0 ? location : undefined;
}
