/**
 * DuckDB stores a view as its SQL text and binds it again on every read, resolving unqualified
 * names in the view's own schema, not in the search path of the session that created it. A view
 * built with a search schema would work once and then fail for every other reader. So before such
 * a view is created, its unqualified table names are qualified with that schema, found with
 * DuckDB's own parser; the rest of the text (and so its line numbers) stays as the user wrote it.
 */
import type { DuckDBSession } from './duckdb-session.js';

interface TableName {
  /** Byte offset of the name in the UTF-8 text, as the parser reports it. */
  offset: number;
  name: string;
}

/**
 * `selectSql` with every unqualified table name prefixed by `schema`. CTE names and file
 * references (`FROM 'data.csv'`) are left alone; SQL the parser rejects is returned unchanged, so
 * that the CREATE statement reports the syntax error itself.
 *
 * @example
 * ```ts
 * await qualifyTables(session, 'SELECT * FROM orders o JOIN raw.customers c USING (id)', 'prod');
 * // 'SELECT * FROM "prod".orders o JOIN raw.customers c USING (id)'
 * ```
 */
export async function qualifyTables(session: DuckDBSession, selectSql: string, schema: string): Promise<string> {
  const [row] = await session.query('SELECT json_serialize_sql(CAST($1 AS VARCHAR)) AS tree', [selectSql]);
  const tree: unknown = JSON.parse(String(row?.tree ?? '{"error": true}'));
  if (isRecord(tree) && tree.error === true) return selectSql;
  const ctes = new Set<string>();
  const tables: TableName[] = [];
  collect(tree, ctes, tables);
  const bytes = Buffer.from(selectSql, 'utf8');
  const prefix = `"${schema.replaceAll('"', '""')}".`;
  let result = bytes;
  const unqualified = tables
    .filter((table) => table.offset < bytes.length && bytes[table.offset] !== "'".charCodeAt(0) && !ctes.has(table.name.toLowerCase()))
    .sort((left, right) => right.offset - left.offset);
  for (const table of unqualified) {
    result = Buffer.concat([result.subarray(0, table.offset), Buffer.from(prefix), result.subarray(table.offset)]);
  }
  return result.toString('utf8');
}

function collect(node: unknown, ctes: Set<string>, tables: TableName[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, ctes, tables);
    return;
  }
  if (!isRecord(node)) return;
  const cteMap = node.cte_map;
  if (isRecord(cteMap) && Array.isArray(cteMap.map)) {
    for (const entry of cteMap.map) if (isRecord(entry) && typeof entry.key === 'string') ctes.add(entry.key.toLowerCase());
  }
  if (node.type === 'BASE_TABLE' && node.schema_name === '' && node.catalog_name === '' && typeof node.query_location === 'number') {
    tables.push({ offset: node.query_location, name: String(node.table_name) });
  }
  for (const value of Object.values(node)) collect(value, ctes, tables);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
