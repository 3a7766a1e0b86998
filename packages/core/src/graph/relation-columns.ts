/**
 * The working form of a relation's columns while a query is walked: known columns in order, with
 * "unknown" markers where zero or more columns nobody can name stand (a `*` over a relation whose
 * columns are not known). Keeping the markers in place matters: positional operations (a UNION, a
 * column alias list) are only certain up to the first marker.
 */
import type { AssetColumns, ColumnSource, OutputColumn } from './output-columns.js';

/** A column whose name is known (certain, or a guess with the reason in `doubt`). */
export interface KnownColumn {
  kind: 'column';
  name: string;
  type?: string;
  /** Undefined when the inputs cannot be told; `[]` for constants. */
  sources?: ColumnSource[];
  /** Set when the name is a guess: why. */
  doubt?: string;
}

/** Zero or more columns that cannot be named, and why. */
export interface UnknownColumns {
  kind: 'unknown';
  reason: string;
}

export type RelationItem = KnownColumn | UnknownColumns;

/** A relation's columns in order. */
export type Relation = readonly RelationItem[];

/** A relation that is nothing but unknown columns. */
export function unknownRelation(reason: string): Relation {
  return [{ kind: 'unknown', reason }];
}

/** The first reason the relation is not fully known, or undefined when it is. */
export function incompleteReason(relation: Relation): string | undefined {
  for (const item of relation) {
    if (item.kind === 'unknown') return item.reason;
    if (item.doubt !== undefined) return item.doubt;
  }
  return undefined;
}

/** Finds a known column by name, ignoring case as DuckDB does. */
export function findColumn(relation: Relation, name: string): KnownColumn | undefined {
  const wanted = name.toLowerCase();
  for (const item of relation) if (item.kind === 'column' && item.name.toLowerCase() === wanted) return item;
  return undefined;
}

export function hasUnknown(relation: Relation): boolean {
  return relation.some((item) => item.kind === 'unknown');
}

/**
 * Makes names unique the way DuckDB does when a query becomes a table, a view, a subquery or a
 * CTE: a repeated name (ignoring case) gets `_1`, `_2`, ... (the first free one). After an
 * unknown marker a name may really be taken already and renamed by DuckDB; the name still exists
 * (either column holds it), but which values it holds does not, so type and sources are dropped.
 */
export function deduplicate(relation: Relation): Relation {
  const taken = new Map<string, number>();
  let afterUnknown = false;
  return relation.map((item) => {
    if (item.kind === 'unknown') {
      afterUnknown = true;
      return item;
    }
    let name = item.name;
    const lower = name.toLowerCase();
    if (taken.has(lower)) {
      let suffix = taken.get(lower) ?? 1;
      while (taken.has(`${lower}_${suffix}`)) suffix++;
      taken.set(lower, suffix + 1);
      name = `${item.name}_${suffix}`;
    }
    taken.set(name.toLowerCase(), taken.get(name.toLowerCase()) ?? 1);
    if (afterUnknown) return { kind: 'column', name, doubt: item.doubt };
    return name === item.name ? item : { ...item, name };
  });
}

/**
 * Applies a column alias list (`AS t(x, y)`, `WITH c(x, y)`): the first columns take the new
 * names, the rest keep theirs. Past an unknown marker the positions are not known: the remaining
 * alias names certainly exist, but which known columns they replaced does not, so those are left out.
 */
export function renamePositionally(relation: Relation, aliases: readonly string[]): Relation {
  if (aliases.length === 0) return relation;
  const result: RelationItem[] = [];
  let next = 0;
  for (const [index, item] of relation.entries()) {
    if (next >= aliases.length) {
      result.push(...relation.slice(index));
      return result;
    }
    if (item.kind === 'unknown') {
      for (const alias of aliases.slice(next)) result.push({ kind: 'column', name: alias });
      result.push(item);
      return result;
    }
    const alias = aliases[next++] ?? item.name;
    result.push({ ...item, name: alias, doubt: undefined });
  }
  return result;
}

/** The public shape of a relation that became an asset's output. */
export function toAssetColumns(relation: Relation): AssetColumns {
  const columns: OutputColumn[] = [];
  for (const item of relation) {
    if (item.kind !== 'column') continue;
    const column: OutputColumn = { name: item.name, nameCertain: item.doubt === undefined };
    if (item.type !== undefined) column.type = item.type;
    if (item.sources !== undefined) column.sources = item.sources;
    columns.push(column);
  }
  const reason = incompleteReason(relation);
  return reason === undefined ? { columns, complete: true, unlisted: false } : { columns, complete: false, reason, unlisted: hasUnknown(relation) };
}

/** An upstream asset's columns as a relation read by a model: each column is its own exact source. */
export function assetRelation(asset: string, columns: AssetColumns): Relation {
  const items: RelationItem[] = columns.columns.map((column) => {
    const item: KnownColumn = { kind: 'column', name: column.name, sources: [{ asset, column: column.name, exact: true }] };
    if (column.type !== undefined) item.type = column.type;
    if (!column.nameCertain) item.doubt = `"${asset}" has a column whose name is a guess`;
    return item;
  });
  if (!columns.complete) items.push({ kind: 'unknown', reason: `the columns of "${asset}" are not all known (${columns.reason ?? 'no reason given'})` });
  return items;
}
