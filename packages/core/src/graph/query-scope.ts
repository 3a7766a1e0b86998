/**
 * What a query's expressions can see while its output columns are worked out: the relations of
 * its FROM clause (by alias), the order `*` expands them in, the CTEs in scope, and the enclosing
 * query for correlated and lateral references.
 */
import type { KnownColumn, Relation, RelationItem } from './relation-columns.js';

/** A relation in a FROM clause under the name expressions qualify it with. */
export interface Binding {
  /** The alias (or table name), lower-cased: DuckDB matches them ignoring case. */
  name: string;
  relation: Relation;
  /** The asset read, when the binding is one: lets `t.x` name its source even when `t`'s columns are not known. */
  asset?: string;
}

/** One item of a `*` expansion and the binding it comes from (for `EXCLUDE (t.x)`). */
export interface StarItem {
  binding: string | undefined;
  item: RelationItem;
}

/** What a FROM clause provides. */
export interface FromScope {
  bindings: Binding[];
  /** What `*` expands to: every binding's columns, a `USING` key once. */
  star: StarItem[];
  /** `USING` and `NATURAL` keys by lower-case name: an unqualified reference to one is not ambiguous. */
  merged: Map<string, KnownColumn>;
}

/** CTEs in scope, by lower-case name. */
export type CteScope = ReadonlyMap<string, Relation>;

/** Where expressions of one SELECT are resolved. */
export interface Scope {
  from: FromScope;
  ctes: CteScope;
  /** The enclosing query, for correlated subqueries and lateral joins. */
  parent: Scope | undefined;
  /** Select-list aliases defined so far (DuckDB lets later expressions use them). */
  aliases?: Map<string, KnownColumn>;
}

/** Shared by the whole walk of one model. */
export interface WalkContext {
  /** Upstream assets' columns as relations, by lower-case asset name. */
  assets: ReadonlyMap<string, { name: string; relation: Relation }>;
  /** DuckDB's names for unaliased select-list expressions (see `expression-names.ts`). */
  printed: ReadonlyMap<object, { name: string; certain: boolean }>;
  /** The output columns of a query node (passed in to keep the files free of import cycles). */
  queryColumns(node: unknown, ctes: CteScope, outer: Scope | undefined): Relation;
}

export const EMPTY_FROM: FromScope = { bindings: [], star: [], merged: new Map() };

/** Reads a field of an AST node. */
export function field(node: unknown, name: string): unknown {
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[name] : undefined;
}

/** A string field, or '' when missing. */
export function text(node: unknown, name: string): string {
  const value = field(node, name);
  return typeof value === 'string' ? value : '';
}

/** An array field, or [] when missing. */
export function list(node: unknown, name: string): unknown[] {
  const value = field(node, name);
  return Array.isArray(value) ? value : [];
}

/** An array of strings field. */
export function names(node: unknown, name: string): string[] {
  return list(node, name).filter((value): value is string => typeof value === 'string');
}
