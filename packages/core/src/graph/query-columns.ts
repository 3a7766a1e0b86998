/**
 * The output columns of a query node from DuckDB's JSON AST: its CTEs, then a SELECT, a set
 * operation (UNION, EXCEPT, INTERSECT, UNION BY NAME) or a recursive CTE.
 */
import type { ColumnSource } from './output-columns.js';
import { deduplicate, findColumn, hasUnknown, renamePositionally, unknownRelation, type KnownColumn, type Relation, type RelationItem } from './relation-columns.js';
import { field, list, names, text, type CteScope, type Scope, type WalkContext } from './query-scope.js';
import { selectNodeColumns } from './select-node-columns.js';

/**
 * The columns a query node returns, in order, before DuckDB makes names unique.
 *
 * @param ctes CTEs of enclosing queries in scope.
 * @param outer the enclosing query's scope, for correlated and lateral references.
 * @example
 * ```ts
 * const relation = queryColumns(ast.statements[0].node, new Map(), undefined, context);
 * ```
 */
export function queryColumns(node: unknown, ctes: CteScope, outer: Scope | undefined, context: WalkContext): Relation {
  const inScope = withCtes(node, ctes, outer, context);
  switch (text(node, 'type')) {
    case 'SELECT_NODE':
      return selectNodeColumns(node, inScope, outer, context);
    case 'SET_OPERATION_NODE':
      return setOperation(node, inScope, outer, context);
    case 'RECURSIVE_CTE_NODE':
      return recursiveCte(node, inScope, outer, context);
    default:
      return unknownRelation(`uses a ${text(node, 'type') || 'query'} that Weir does not work out`);
  }
}

/**
 * Adds a node's CTEs to the scope in order: each CTE sees the ones defined before it (DuckDB binds
 * a name in an earlier CTE's body to a table, not to a later CTE), the query sees all of them.
 */
function withCtes(node: unknown, ctes: CteScope, outer: Scope | undefined, context: WalkContext): CteScope {
  const entries = list(field(node, 'cte_map'), 'map');
  if (entries.length === 0) return ctes;
  const scope = new Map(ctes);
  for (const entry of entries) {
    const name = text(entry, 'key');
    const value = field(entry, 'value');
    const relation = queryColumns(field(field(value, 'query'), 'node'), scope, outer, context);
    scope.set(name.toLowerCase(), deduplicate(renamePositionally(relation, names(value, 'aliases'))));
  }
  return scope;
}

function setOperation(node: unknown, ctes: CteScope, outer: Scope | undefined, context: WalkContext): Relation {
  const left = queryColumns(field(node, 'left'), ctes, outer, context);
  const right = queryColumns(field(node, 'right'), ctes, outer, context);
  const kind = text(node, 'setop_type');
  if (kind === 'UNION_BY_NAME') return unionByName(left, right);
  // EXCEPT and INTERSECT return rows of the left side only.
  return kind === 'UNION' ? byPosition(left, right) : left;
}

/** Names come from the left branch; sources from both; a type only when both agree. */
function byPosition(left: Relation, right: Relation): Relation {
  const result: RelationItem[] = [];
  // Past an unknown marker on either side, which columns pair up is not known.
  let aligned = true;
  for (const [index, item] of left.entries()) {
    const other = right[index];
    if (item.kind === 'unknown' || other === undefined || other.kind === 'unknown') aligned = false;
    if (item.kind === 'unknown') result.push(item);
    else result.push(aligned && other?.kind === 'column' ? combine(item, other) : withoutLineage(item));
  }
  return result;
}

/** `UNION BY NAME`: the left's names in order, then the right's new ones, matched ignoring case. */
function unionByName(left: Relation, right: Relation): Relation {
  const result: RelationItem[] = [];
  const leftHasUnknown = hasUnknown(left);
  const rightHasUnknown = hasUnknown(right);
  for (const item of left) {
    if (item.kind !== 'column') continue;
    const other = findColumn(right, item.name);
    result.push(other !== undefined ? combine(item, other) : rightHasUnknown ? withoutLineage(item) : item);
  }
  for (const item of right) {
    if (item.kind === 'column' && findColumn(left, item.name) === undefined) result.push(leftHasUnknown ? withoutLineage(item) : item);
  }
  const unknown = [...left, ...right].find((item) => item.kind === 'unknown');
  if (unknown !== undefined) result.push(unknown);
  return result;
}

/**
 * A recursive CTE's columns are its anchor's (the left branch, renamed by the CTE's alias list);
 * the recursive branch, which reads the CTE itself, adds lineage only.
 */
function recursiveCte(node: unknown, ctes: CteScope, outer: Scope | undefined, context: WalkContext): Relation {
  const anchor = deduplicate(renamePositionally(queryColumns(field(node, 'left'), ctes, outer, context), names(node, 'aliases')));
  const self = new Map(ctes);
  self.set(text(node, 'cte_name').toLowerCase(), anchor);
  return byPosition(anchor, queryColumns(field(node, 'right'), self, outer, context));
}

function combine(left: KnownColumn, right: KnownColumn): KnownColumn {
  const column: KnownColumn = { kind: 'column', name: left.name };
  if (left.doubt !== undefined) column.doubt = left.doubt;
  if (left.type !== undefined && left.type === right.type) column.type = left.type;
  if (left.sources !== undefined && right.sources !== undefined) column.sources = mergeSources(left.sources, right.sources);
  return column;
}

function mergeSources(left: readonly ColumnSource[], right: readonly ColumnSource[]): ColumnSource[] {
  const merged = new Map<string, ColumnSource>();
  for (const source of [...left, ...right]) {
    const key = `${source.asset}\u0000${source.column.toLowerCase()}`;
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? source : { ...seen, exact: seen.exact && source.exact });
  }
  return [...merged.values()];
}

/** The same column with its type and sources unknown (another branch feeds it from somewhere unknown). */
function withoutLineage(item: KnownColumn): KnownColumn {
  const column: KnownColumn = { kind: 'column', name: item.name };
  if (item.doubt !== undefined) column.doubt = item.doubt;
  return column;
}
