/**
 * The relations a FROM clause makes visible: tables (assets or CTEs), subqueries, VALUES and
 * joins, with the order `*` expands them in (a `USING` or `NATURAL` key once, at the left side's
 * place, as DuckDB does).
 */
import { deduplicate, findColumn, renamePositionally, unknownRelation, type KnownColumn, type Relation, type RelationItem } from './relation-columns.js';
import { EMPTY_FROM, field, list, names, text, type Binding, type CteScope, type FromScope, type Scope, type StarItem, type WalkContext } from './query-scope.js';

/**
 * Works out what a FROM clause (a `from_table` node) provides.
 *
 * @param outer the enclosing query, seen by lateral subqueries.
 * @example
 * ```ts
 * fromClause(selectNode.from_table, ctes, undefined, context).star; // what `*` expands to
 * ```
 */
export function fromClause(table: unknown, ctes: CteScope, outer: Scope | undefined, context: WalkContext): FromScope {
  switch (text(table, 'type')) {
    case '':
    case 'EMPTY':
      return EMPTY_FROM;
    case 'BASE_TABLE': {
      const { relation, asset } = baseTable(table, ctes, context);
      return single(text(table, 'alias') || text(table, 'table_name'), renamed(relation, table), asset);
    }
    case 'SUBQUERY': {
      // A subquery's names are made unique after its alias list renames them, as DuckDB does.
      const relation = context.queryColumns(field(field(table, 'subquery'), 'node'), ctes, outer);
      return single(text(table, 'alias') || 'unnamed_subquery', deduplicate(renamed(relation, table)));
    }
    case 'EXPRESSION_LIST':
      return single(text(table, 'alias') || 'valueslist', renamed(valuesRelation(table), table));
    case 'JOIN':
      return join(table, ctes, outer, context);
    case 'TABLE_FUNCTION': {
      const name = text(field(table, 'function'), 'function_name');
      return single(text(table, 'alias') || name, unknownRelation(`reads the table function ${name}(), whose columns are not known before it runs`));
    }
    default:
      return single(text(table, 'alias'), unknownRelation(`uses ${text(table, 'type')} in FROM, whose columns Weir does not work out`));
  }
}

/** Applies a table reference's column alias list (`AS t(x, y)`). */
function renamed(relation: Relation, table: unknown): Relation {
  return renamePositionally(relation, names(table, 'column_name_alias'));
}

function single(alias: string, relation: Relation, asset?: string): FromScope {
  const binding: Binding = { name: alias.toLowerCase(), relation };
  if (asset !== undefined) binding.asset = asset;
  return { bindings: [binding], star: relation.map((item) => ({ binding: binding.name, item })), merged: new Map() };
}

/** An unqualified name is a CTE in scope, else an asset; anything else is outside the project. */
function baseTable(table: unknown, ctes: CteScope, context: WalkContext): { relation: Relation; asset?: string } {
  const name = text(table, 'table_name');
  const qualifier = [text(table, 'catalog_name'), text(table, 'schema_name')].filter((part) => part !== '').join('.');
  if (qualifier !== '') return { relation: unknownRelation(`reads ${qualifier}.${name}, outside the project`) };
  const cte = ctes.get(name.toLowerCase());
  if (cte !== undefined) return { relation: cte };
  const asset = context.assets.get(name.toLowerCase());
  if (asset !== undefined) return { relation: asset.relation, asset: asset.name };
  return { relation: unknownRelation(`reads "${name}", which is not an asset (a file read by DuckDB?)`) };
}

/** `VALUES (...)`: DuckDB names the columns col0, col1, ... */
function valuesRelation(table: unknown): Relation {
  const first = list(table, 'values')[0];
  if (!Array.isArray(first)) return unknownRelation('VALUES without rows');
  return first.map((value: unknown, index) => {
    const item: KnownColumn = { kind: 'column', name: `col${index}` };
    if (text(value, 'class') === 'CONSTANT') item.sources = [];
    return item;
  });
}

function join(table: unknown, ctes: CteScope, outer: Scope | undefined, context: WalkContext): FromScope {
  const left = fromClause(field(table, 'left'), ctes, outer, context);
  // DuckDB binds a subquery on the right of a join laterally when it refers to the left.
  const lateral: Scope = { from: left, ctes, parent: outer };
  const right = fromClause(field(table, 'right'), ctes, lateral, context);
  const joinType = text(table, 'join_type');
  if (joinType === 'SEMI' || joinType === 'ANTI') return left;
  const merged = new Map([...left.merged, ...right.merged]);
  const bindings = [...left.bindings, ...right.bindings];
  const natural = text(table, 'ref_type') === 'NATURAL';
  if (natural && (left.star.some(({ item }) => item.kind === 'unknown') || right.star.some(({ item }) => item.kind === 'unknown'))) {
    // The shared names are not known; a right column named like a left one is dropped (the left
    // one stands for it), any other is kept: every listed name exists either way.
    const star = [...left.star, ...right.star.filter(({ item }) => item.kind === 'unknown' || findStar(left.star, item.name) === undefined)];
    return { bindings, star, merged };
  }
  const keys = natural ? sharedNames(left.star, right.star) : names(table, 'using_columns');
  if (keys.length === 0) return { bindings, star: [...left.star, ...right.star], merged };
  const lowerKeys = new Set(keys.map((key) => key.toLowerCase()));
  const bothSides = joinType === 'RIGHT' || joinType === 'OUTER';
  const leftStar = left.star.map((entry) => {
    if (entry.item.kind !== 'column' || !lowerKeys.has(entry.item.name.toLowerCase())) return entry;
    const key = mergedKey(entry.item, bothSides ? findStar(right.star, entry.item.name) : undefined);
    merged.set(key.name.toLowerCase(), key);
    return { binding: entry.binding, item: key };
  });
  for (const key of keys) {
    // A key from an unknown part of the left: it exists, its lineage is the right side's at least.
    if (!merged.has(key.toLowerCase())) merged.set(key.toLowerCase(), { kind: 'column', name: key });
  }
  const rightStar = right.star.filter(({ item }) => item.kind === 'unknown' || !lowerKeys.has(item.name.toLowerCase()));
  return { bindings, star: [...leftStar, ...rightStar], merged };
}

/** A USING key after a RIGHT or FULL join holds values from either side. */
function mergedKey(left: KnownColumn, right: KnownColumn | undefined): KnownColumn {
  if (right === undefined) return left;
  const key: KnownColumn = { kind: 'column', name: left.name };
  if (left.type !== undefined && left.type === right.type) key.type = left.type;
  if (left.sources !== undefined && right.sources !== undefined) key.sources = [...left.sources, ...right.sources];
  return key;
}

function findStar(star: readonly StarItem[], name: string): KnownColumn | undefined {
  return findColumn(
    star.map(({ item }) => item),
    name,
  );
}

function sharedNames(left: readonly StarItem[], right: readonly StarItem[]): string[] {
  const rightItems: RelationItem[] = right.map(({ item }) => item);
  return left.flatMap(({ item }) => (item.kind === 'column' && findColumn(rightItems, item.name) !== undefined ? [item.name] : []));
}

