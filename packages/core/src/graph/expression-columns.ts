/**
 * One select-list expression as an output column: which column a reference resolves to, what the
 * result is called, its type where obvious, and the upstream columns it is computed from.
 */
import type { ColumnSource } from './output-columns.js';
import { findColumn, hasUnknown, type KnownColumn } from './relation-columns.js';
import { field, list, names, text, type Binding, type Scope, type WalkContext } from './query-scope.js';

/** Where a column reference points. */
export interface ResolvedReference {
  /** The column found, when its relation lists it. */
  column?: KnownColumn;
  /** The name DuckDB gives the reference: the column's own spelling when found, else as written. */
  name: string;
  /** The referenced values' sources; undefined when unknown. */
  sources?: ColumnSource[];
}

/**
 * Resolves `a`, `t.a` or `s.field` in `scope` as DuckDB's binder would for a valid query: a
 * qualified name first as `binding.column`, then as a struct field; an unqualified one in the
 * FROM clause, then in earlier select-list aliases, then in enclosing queries.
 */
export function resolveReference(parts: readonly string[], scope: Scope | undefined): ResolvedReference {
  const last = parts[parts.length - 1] ?? '';
  if (parts.length >= 2) {
    for (let current = scope; current !== undefined; current = current.parent) {
      const qualifier = (parts[parts.length - 2] ?? '').toLowerCase();
      const binding = current.from.bindings.find((candidate) => candidate.name === qualifier);
      if (binding !== undefined) return inBinding(binding, last);
      // `s.x` where `s` is a struct column: the field takes the last name and the column's lineage.
      const struct = resolveReference(parts.slice(0, -1), current);
      if (struct.column !== undefined) return { name: last, sources: derived(struct.sources) };
      if (!hasUnknownBinding(current)) continue;
      return { name: last };
    }
    return { name: last };
  }
  for (let current = scope; current !== undefined; current = current.parent) {
    const found = inFromClause(last, current);
    if (found !== undefined) return found;
    const alias = current.aliases?.get(last.toLowerCase());
    if (hasUnknownBinding(current)) {
      // It may be one of the columns nobody could name. With one relation and no enclosing query
      // (nor an alias of the same name) that is where it is; otherwise it cannot be told.
      const only = current.from.bindings.length === 1 ? current.from.bindings[0] : undefined;
      return only === undefined || alias !== undefined || current.parent !== undefined ? { name: last } : inBinding(only, last);
    }
    if (alias !== undefined) return fromColumn(alias);
  }
  return { name: last };
}

/** A column of the FROM clause (a USING key first: it is not ambiguous). */
function inFromClause(name: string, scope: Scope): ResolvedReference | undefined {
  const merged = scope.from.merged.get(name.toLowerCase());
  if (merged !== undefined) return fromColumn(merged);
  for (const binding of scope.from.bindings) {
    const column = findColumn(binding.relation, name);
    if (column !== undefined) return fromColumn(column);
  }
  return undefined;
}

function inBinding(binding: Binding, name: string): ResolvedReference {
  const column = findColumn(binding.relation, name);
  if (column !== undefined) return fromColumn(column);
  // Not listed: from an asset, the column must still be that asset's (the query is valid).
  if (binding.asset !== undefined) return { name, sources: [{ asset: binding.asset, column: name, exact: true }] };
  return { name };
}

function fromColumn(column: KnownColumn): ResolvedReference {
  return column.sources === undefined ? { column, name: column.name } : { column, name: column.name, sources: column.sources };
}

function hasUnknownBinding(scope: Scope): boolean {
  return scope.from.bindings.some((binding) => hasUnknown(binding.relation));
}

/** What an expression contributes as a column, apart from its name. */
export interface ExpressionFacts {
  type?: string;
  sources?: ColumnSource[];
  /** For a plain column reference: what it resolved to (its name is the output name). */
  reference?: ResolvedReference;
}

/**
 * The type (where obvious) and sources of one expression.
 *
 * @example
 * ```ts
 * describeExpression(castNode, scope, context); // { type: 'BIGINT', sources: [{ asset: 'orders', column: 'id', exact: false }] }
 * ```
 */
export function describeExpression(expression: unknown, scope: Scope, context: WalkContext): ExpressionFacts {
  if (text(expression, 'class') === 'COLUMN_REF') {
    const reference = resolveReference(names(expression, 'column_names'), scope);
    const facts: ExpressionFacts = { reference };
    if (reference.column?.type !== undefined && reference.column.name.toLowerCase() === reference.name.toLowerCase()) facts.type = reference.column.type;
    if (reference.sources !== undefined) facts.sources = reference.sources;
    return facts;
  }
  const collected = new Map<string, ColumnSource>();
  const known = collectSources(expression, scope, context, new Set(), collected);
  const facts: ExpressionFacts = {};
  const type = obviousType(expression);
  if (type !== undefined) facts.type = type;
  if (known) facts.sources = [...collected.values()];
  return facts;
}

/** Adds the sources of every column an expression reads to `into`; false when one cannot be told. */
function collectSources(node: unknown, scope: Scope, context: WalkContext, lambdaParameters: ReadonlySet<string>, into: Map<string, ColumnSource>): boolean {
  if (Array.isArray(node)) return node.every((item) => collectSources(item, scope, context, lambdaParameters, into));
  if (node === null || typeof node !== 'object') return true;
  const nodeClass = text(node, 'class');
  if (nodeClass === 'COLUMN_REF') {
    const parts = names(node, 'column_names');
    if (parts.length === 1 && lambdaParameters.has((parts[0] ?? '').toLowerCase())) return true;
    return add(resolveReference(parts, scope).sources, into);
  }
  if (nodeClass === 'STAR') return false;
  if (nodeClass === 'LAMBDA') {
    const parameters = new Set(lambdaParameters);
    for (const parameter of lambdaParameterNames(field(node, 'lhs'))) parameters.add(parameter.toLowerCase());
    return collectSources(field(node, 'expr'), scope, context, parameters, into);
  }
  if (nodeClass === 'SUBQUERY') {
    const relation = context.queryColumns(field(field(node, 'subquery'), 'node'), scope.ctes, scope);
    const first = relation[0];
    const fromQuery = text(node, 'subquery_type') === 'EXISTS' ? [] : first?.kind === 'column' ? first.sources : undefined;
    return add(fromQuery, into) && collectSources(field(node, 'child'), scope, context, lambdaParameters, into);
  }
  for (const child of Object.values(node)) {
    if (child !== null && typeof child === 'object' && !collectSources(child, scope, context, lambdaParameters, into)) return false;
  }
  return true;
}

function lambdaParameterNames(lhs: unknown): string[] {
  if (text(lhs, 'class') === 'COLUMN_REF') return names(lhs, 'column_names').slice(-1);
  // `(x, i) -> ...` is a row of column references.
  return list(lhs, 'children').flatMap((child) => names(child, 'column_names').slice(-1));
}

function add(sources: readonly ColumnSource[] | undefined, into: Map<string, ColumnSource>): boolean {
  if (sources === undefined) return false;
  for (const source of sources) into.set(`${source.asset}\u0000${source.column.toLowerCase()}`, { ...source, exact: false });
  return true;
}

function derived(sources: readonly ColumnSource[] | undefined): ColumnSource[] | undefined {
  return sources?.map((source) => ({ ...source, exact: false }));
}

/** Functions whose result type does not depend on their arguments. */
const BIGINT_FUNCTIONS = new Set(['count', 'count_star', 'row_number', 'rank', 'dense_rank', 'ntile']);

/** The type of an expression when it needs no binding to know: casts, counts, plain literals. */
function obviousType(expression: unknown): string | undefined {
  const nodeClass = text(expression, 'class');
  if (nodeClass === 'CAST') return sqlTypeName(field(expression, 'cast_type'));
  if ((nodeClass === 'FUNCTION' || nodeClass === 'WINDOW') && BIGINT_FUNCTIONS.has(text(expression, 'function_name'))) return 'BIGINT';
  if (nodeClass === 'CONSTANT') {
    const id = text(field(field(expression, 'value'), 'type'), 'id');
    return id === 'VARCHAR' || id === 'INTEGER' ? id : undefined;
  }
  return undefined;
}

/** A serialized LogicalType as DuckDB's DESCRIBE prints it, for the plain types and DECIMAL(w,s). */
export function sqlTypeName(type: unknown): string | undefined {
  const id = text(type, 'id');
  const info = field(type, 'type_info');
  if (id === '' || id === 'UNBOUND' || id === 'INVALID') return undefined;
  if (info === null || info === undefined) return id;
  const width = field(info, 'width');
  const scale = field(info, 'scale');
  if (id === 'DECIMAL' && typeof width === 'number' && typeof scale === 'number') return `DECIMAL(${width},${scale})`;
  return undefined;
}
