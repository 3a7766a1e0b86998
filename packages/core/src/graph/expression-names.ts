/**
 * The names DuckDB gives unaliased select-list expressions. DuckDB names such a column by
 * printing the parsed expression (`a + 1` becomes `(a + 1)`, `count(*)` becomes `count_star()`),
 * so Weir asks DuckDB's own printer, once for every expression of every model.
 */
import { deserializeSql } from './sql-parser.js';
import { field, text } from './query-scope.js';

/** A printed name, and whether it is certainly the binder's (some round trips lose detail). */
export interface PrintedName {
  name: string;
  certain: boolean;
}

/**
 * Finds every unaliased expression in the select lists of `statements` (subqueries and CTEs
 * included) and prints them all in one DuckDB query.
 *
 * @returns the name per expression node (the node objects of the AST are the keys).
 * @example
 * ```ts
 * const printed = await printUnaliasedExpressions([ast.statements[0].node]);
 * ```
 */
export async function printUnaliasedExpressions(statements: readonly unknown[]): Promise<Map<object, PrintedName>> {
  const found: object[] = [];
  for (const statement of statements) collect(statement, found);
  const printable = found.filter(isPrintable);
  const texts = await deserializeSql(printable.map((expression) => JSON.stringify(selectStatement(expression), dropLocations)));
  const printed = new Map<object, PrintedName>();
  printable.forEach((expression, index) => {
    const output = texts[index];
    if (output === undefined || !output.startsWith('SELECT ')) return;
    printed.set(expression, { name: output.slice('SELECT '.length), certain: printsExactly(expression) });
  });
  return printed;
}

function collect(node: unknown, found: object[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const selectList = field(node, 'select_list');
  if (Array.isArray(selectList)) {
    for (const expression of selectList) {
      if (expression !== null && typeof expression === 'object' && text(expression, 'alias') === '' && !NAMED_CLASSES.has(text(expression, 'class'))) found.push(expression);
    }
  }
  for (const child of Object.values(node)) if (child !== null && typeof child === 'object') collect(child, found);
}

/** Column references (`a`, `#1`) take the column's name and stars expand; none is printed. */
const NAMED_CLASSES = new Set(['COLUMN_REF', 'POSITIONAL_REFERENCE', 'STAR']);

/** A one-expression SELECT in the shape `json_deserialize_sql` reads. */
function selectStatement(expression: object): unknown {
  return {
    error: false,
    statements: [
      {
        node: {
          type: 'SELECT_NODE',
          modifiers: [],
          cte_map: { map: [] },
          select_list: [expression],
          from_table: { type: 'EMPTY', alias: '', sample: null, query_location: 0 },
          where_clause: null,
          group_expressions: [],
          group_sets: [],
          aggregate_handling: 'STANDARD_HANDLING',
          having: null,
          sample: null,
          qualify: null,
        },
        named_param_map: [],
      },
    ],
  };
}

/** DuckDB writes unknown locations as 2^64-1, which JSON.parse rounded; locations do not affect printing. */
function dropLocations(key: string, value: unknown): unknown {
  return key === 'query_location' ? 0 : value;
}

/** Floating-point literals do not survive JSON.parse (1000.0 comes back as 1000, which DuckDB rejects as a double). */
function isPrintable(expression: object): boolean {
  return !someNode(expression, (node) => text(node, 'class') === 'CONSTANT' && FLOAT_TYPES.has(constantType(node)));
}

const FLOAT_TYPES = new Set(['DOUBLE', 'FLOAT']);

/**
 * Whether the printed text is certainly the binder's name. The serialized form loses how some
 * things were written. A cast's type is named as written until it is bound (`x::date` is named
 * `CAST(x AS "DATE")`, `x::varchar(10)` keeps its `(10)`, `x::numeric` stays `DECIMAL`), so casts
 * are guesses, except the `true`/`false` literals, which the parser itself writes as casts.
 * Literals of types other than these may print differently too.
 */
function printsExactly(expression: object): boolean {
  return !someNode(expression, (node) => {
    const nodeClass = text(node, 'class');
    if (nodeClass === 'CAST') return !isBooleanLiteral(node);
    if (nodeClass === 'CONSTANT') return !EXACT_LITERAL_TYPES.has(constantType(node));
    return false;
  });
}

/** `true` parses as `CAST('t' AS BOOLEAN)`, `false` as `CAST('f' AS BOOLEAN)`. */
function isBooleanLiteral(cast: object): boolean {
  const child = field(cast, 'child');
  const value = field(field(child, 'value'), 'value');
  return text(field(cast, 'cast_type'), 'id') === 'BOOLEAN' && text(child, 'class') === 'CONSTANT' && (value === 't' || value === 'f');
}

const EXACT_LITERAL_TYPES = new Set(['INTEGER', 'BIGINT', 'VARCHAR', 'BOOLEAN', 'NULL']);

function constantType(node: unknown): string {
  return text(field(field(node, 'value'), 'type'), 'id');
}

function someNode(node: unknown, test: (node: object) => boolean): boolean {
  if (Array.isArray(node)) return node.some((item) => someNode(item, test));
  if (node === null || typeof node !== 'object') return false;
  if (test(node)) return true;
  return Object.values(node).some((child) => child !== null && typeof child === 'object' && someNode(child, test));
}
