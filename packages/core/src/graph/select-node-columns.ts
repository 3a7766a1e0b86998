/**
 * The output columns of one SELECT: its select list, with `*` (and `t.*`, `EXCLUDE`, `REPLACE`,
 * `RENAME`) expanded over the FROM clause. GROUP BY, WHERE, window clauses, DISTINCT and ORDER
 * BY do not change the columns, so they are not read.
 */
import { describeExpression, resolveReference } from './expression-columns.js';
import { fromClause } from './from-clause.js';
import type { KnownColumn, Relation, RelationItem } from './relation-columns.js';
import { field, list, names, text, type CteScope, type Scope, type StarItem, type WalkContext } from './query-scope.js';

/**
 * The columns of a `SELECT_NODE`, in order, before names are made unique (DuckDB does that when
 * the result becomes a relation).
 *
 * @example
 * ```ts
 * selectNodeColumns(ast.statements[0].node, new Map(), undefined, context);
 * ```
 */
export function selectNodeColumns(node: unknown, ctes: CteScope, outer: Scope | undefined, context: WalkContext): Relation {
  const from = fromClause(field(node, 'from_table'), ctes, outer, context);
  const scope: Scope = { from, ctes, parent: outer, aliases: new Map() };
  const result: RelationItem[] = [];
  for (const expression of list(node, 'select_list')) {
    if (text(expression, 'class') === 'STAR') {
      result.push(...expandStar(expression, scope, context));
      continue;
    }
    const item = selectItem(expression, scope, context);
    result.push(item);
    if (item.kind === 'column' && text(expression, 'alias') !== '') scope.aliases?.set(item.name.toLowerCase(), item);
  }
  return result;
}

function selectItem(expression: unknown, scope: Scope, context: WalkContext): RelationItem {
  if (containsStar(expression)) return { kind: 'unknown', reason: 'expands COLUMNS(...) or * inside an expression, which Weir does not work out' };
  const unnest = unnestExpansion(expression, scope);
  if (unnest !== undefined) return unnest;
  if (text(expression, 'class') === 'POSITIONAL_REFERENCE') return positionalReference(expression, scope);
  const facts = describeExpression(expression, scope, context);
  const alias = text(expression, 'alias');
  const column: KnownColumn = { kind: 'column', name: alias };
  if (alias === '' && facts.reference !== undefined) column.name = facts.reference.name;
  else if (alias === '') {
    const printed = context.printed.get(expression as object);
    column.name = printed?.name ?? '?';
    if (printed === undefined || !printed.certain) column.doubt = `an unaliased expression ${printed === undefined ? '' : `${printed.name} `}may be named differently by DuckDB (give it an alias)`;
  }
  if (facts.type !== undefined) column.type = facts.type;
  if (facts.sources !== undefined) column.sources = facts.sources;
  return column;
}

/** `#2`: the second column of the FROM clause's `*`, under its name (or the alias). */
function positionalReference(expression: unknown, scope: Scope): RelationItem {
  const index = Number(field(expression, 'index')) - 1;
  const before = scope.from.star.slice(0, index + 1).map(({ item }) => item);
  const target = before[index];
  if (before.some((item) => item.kind === 'unknown') || target?.kind !== 'column') return { kind: 'unknown', reason: `#${index + 1} points into columns that are not known` };
  const alias = text(expression, 'alias');
  return alias === '' ? target : { ...target, name: alias, doubt: undefined };
}

/**
 * `unnest(x)` at the root of a select item turns a struct into one column per field, whatever
 * the alias; a list gives one column. Only a known list (or a function that returns one) is safe.
 */
function unnestExpansion(expression: unknown, scope: Scope): RelationItem | undefined {
  const name = text(expression, 'function_name');
  if (text(expression, 'class') !== 'FUNCTION' || (name !== 'unnest' && name !== 'unpack')) return undefined;
  const children = list(expression, 'children');
  const argument = children[0];
  if (name === 'unnest' && children.length === 1 && (LIST_FUNCTIONS.has(text(argument, 'function_name')) || isKnownList(argument, scope))) return undefined;
  return { kind: 'unknown', reason: `${name}() may expand a struct into several columns` };
}

/** Functions that return a list, so `unnest` of their result is one column. */
const LIST_FUNCTIONS = new Set(['list_value', 'string_split', 'str_split', 'string_to_array', 'string_split_regex', 'regexp_split_to_array', 'range', 'generate_series', 'list_distinct', 'list_sort', 'list_filter']);

function isKnownList(argument: unknown, scope: Scope): boolean {
  if (text(argument, 'class') !== 'COLUMN_REF') return false;
  const type = resolveReference(names(argument, 'column_names'), scope).column?.type;
  return type !== undefined && type.endsWith('[]');
}

/** A `*` or `COLUMNS(...)` anywhere in an expression (not in a subquery, which has its own scope). */
function containsStar(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsStar);
  if (node === null || typeof node !== 'object') return false;
  const nodeClass = text(node, 'class');
  if (nodeClass === 'STAR') return true;
  if (nodeClass === 'SUBQUERY') return containsStar(field(node, 'child'));
  return Object.values(node).some((child) => child !== null && typeof child === 'object' && containsStar(child));
}

/** `*`, `t.*`, with `EXCLUDE`, `REPLACE` and `RENAME`; `COLUMNS(...)` and `* LIKE` are not worked out. */
function expandStar(star: unknown, scope: Scope, context: WalkContext): RelationItem[] {
  if (field(star, 'columns') === true || (field(star, 'expr') ?? null) !== null) {
    return [{ kind: 'unknown', reason: 'selects COLUMNS(...), which Weir does not work out' }];
  }
  const relationName = text(star, 'relation_name').toLowerCase();
  let items: StarItem[] = scope.from.star;
  if (relationName !== '') {
    const binding = scope.from.bindings.find((candidate) => candidate.name === relationName);
    if (binding === undefined) return [{ kind: 'unknown', reason: `selects ${relationName}.* (a struct's fields?), which Weir does not work out` }];
    items = binding.relation.map((item) => ({ binding: binding.name, item }));
  }
  const excluded = exclusions(star);
  const replacements = new Map(list(star, 'replace_list').map((entry) => [text(entry, 'key').toLowerCase(), field(entry, 'value')]));
  const renames = list(star, 'rename_list').map((entry) => ({ key: qualified(field(entry, 'key')), name: text(entry, 'value') }));
  const result: RelationItem[] = [];
  for (const { binding, item } of items) {
    if (item.kind === 'unknown') {
      result.push(item);
      continue;
    }
    const lower = item.name.toLowerCase();
    if (excluded.some((key) => key.column === lower && (key.table === '' || key.table === binding))) continue;
    const rename = renames.find(({ key }) => key.column === lower && (key.table === '' || key.table === binding));
    const replacement = replacements.get(lower);
    let column: KnownColumn = item;
    if (replacement !== undefined) {
      const facts = describeExpression(replacement, scope, context);
      column = { kind: 'column', name: item.name };
      if (facts.type !== undefined) column.type = facts.type;
      if (facts.sources !== undefined) column.sources = facts.sources;
    }
    result.push(rename === undefined ? column : { ...column, name: rename.name });
  }
  return result;
}

interface QualifiedName {
  table: string;
  column: string;
}

function exclusions(star: unknown): QualifiedName[] {
  const plain = list(star, 'exclude_list').map((name) => ({ table: '', column: String(name).toLowerCase() }));
  return [...plain, ...list(star, 'qualified_exclude_list').map(qualified)];
}

function qualified(key: unknown): QualifiedName {
  return { table: text(key, 'table').toLowerCase(), column: text(key, 'column').toLowerCase() };
}
