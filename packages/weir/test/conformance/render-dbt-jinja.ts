/**
 * A deliberately tiny Jinja renderer for the dbt jaffle_shop conformance test. Weir has no
 * templating language (references come from the SQL itself), so the test turns dbt's Jinja into
 * plain SQL before Weir sees it. It handles exactly what jaffle_shop classic uses and refuses
 * everything else, so that a change in the corpus fails loudly instead of rendering wrong SQL:
 *
 * - `{{ ref('name') }}` becomes the plain name `name` (Weir finds dependencies in the SQL);
 * - `{{ doc('name') }}` becomes the text of the `{% docs name %}` block (schema.yml descriptions);
 * - `{{ variable }}` prints a loop variable or a `set` variable;
 * - `{% set name = ['a', 'b'] %}` binds a list of string literals;
 * - `{% for x in name %} ... {% endfor %}` repeats its body once per element;
 * - `{# ... #}` comments are dropped;
 * - whitespace control: a `-` inside a tag's opening (`{%-`) strips the whitespace before it, one
 *   inside its closing (`-%}`) strips the whitespace after it, as in Jinja.
 *
 * Not handled (and refused with an error): filters, `if`, macros, `config()`, `source()`,
 * `var()`, expressions other than the ones above, and Jinja's `trim_blocks` mode (dbt leaves it off).
 */

/** Values a template can see: strings, or lists of strings made by `set`. */
type Value = string | string[];

/** What `{{ ... }}` calls resolve against. */
export interface RenderContext {
  /** Doc blocks by name, for `{{ doc('name') }}`. */
  docs?: ReadonlyMap<string, string>;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; expression: string }
  | { kind: 'set'; name: string; values: string[] }
  | { kind: 'for'; variable: string; iterable: string; body: Node[] };

interface Tag {
  kind: 'print' | 'statement' | 'comment';
  body: string;
}

// One alternative per tag kind, so that a tag ends only at its own closer (`%}` inside a comment
// does not end the comment).
const TAG = /\{\{(-?)([\s\S]*?)(-?)\}\}|\{%(-?)([\s\S]*?)(-?)%\}|\{#(-?)([\s\S]*?)(-?)#\}/g;
const KINDS = ['print', 'statement', 'comment'] as const;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STRING_LITERAL = /^(?:'([^'\\]*)'|"([^"\\]*)")$/;

/**
 * Renders `template` to plain text.
 *
 * @example
 * ```ts
 * renderDbtJinja("select * from {{ ref('stg_orders') }}"); // "select * from stg_orders"
 * ```
 */
export function renderDbtJinja(template: string, context: RenderContext = {}): string {
  const nodes = parse(tokenize(template));
  return renderNodes(nodes, new Map(), context);
}

/** Splits a template into text and tags, applying whitespace control to the text between them. */
function tokenize(template: string): Array<string | Tag> {
  const tokens: Array<string | Tag> = [];
  let position = 0;
  let trimNext = false;
  for (const match of template.matchAll(TAG)) {
    const whole = match[0];
    const which = [1, 4, 7].findIndex((group) => match[group + 1] !== undefined);
    const [dashBefore, body, dashAfter] = match.slice(1 + which * 3, 4 + which * 3);
    let text = template.slice(position, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (dashBefore) text = text.replace(/\s+$/, '');
    tokens.push(text);
    tokens.push({ kind: KINDS[which]!, body: body!.trim() });
    trimNext = dashAfter === '-';
    position = match.index + whole.length;
  }
  let rest = template.slice(position);
  if (trimNext) rest = rest.replace(/^\s+/, '');
  tokens.push(rest);
  return tokens;
}

/** Builds the tree; `for` blocks nest until their `endfor`. */
function parse(tokens: Array<string | Tag>): Node[] {
  const root: Node[] = [];
  const open: Array<{ body: Node[]; tag: string }> = [{ body: root, tag: '' }];
  for (const token of tokens) {
    const into = open[open.length - 1]!.body;
    if (typeof token === 'string') {
      if (token !== '') into.push({ kind: 'text', text: token });
      continue;
    }
    if (token.kind === 'comment') continue;
    if (token.kind === 'print') {
      into.push({ kind: 'print', expression: token.body });
      continue;
    }
    const set = /^set\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*\[([\s\S]*)\]$/.exec(token.body);
    if (set) {
      into.push({ kind: 'set', name: set[1]!, values: stringList(set[2]!, token.body) });
      continue;
    }
    const loop = /^for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(token.body);
    if (loop) {
      const node: Node = { kind: 'for', variable: loop[1]!, iterable: loop[2]!, body: [] };
      into.push(node);
      open.push({ body: node.body, tag: token.body });
      continue;
    }
    if (token.body === 'endfor') {
      if (open.length === 1) throw new Error('{% endfor %} without a {% for %}');
      open.pop();
      continue;
    }
    throw new Error(`unsupported Jinja statement {% ${token.body} %} (the jaffle_shop renderer handles set, for and endfor only)`);
  }
  if (open.length > 1) throw new Error(`{% ${open[open.length - 1]!.tag} %} is never closed`);
  return root;
}

/** `'a', 'b', "c"` as a list of strings. */
function stringList(items: string, statement: string): string[] {
  if (items.trim() === '') return [];
  return items.split(',').map((item) => {
    const literal = STRING_LITERAL.exec(item.trim());
    if (!literal) throw new Error(`unsupported list item ${JSON.stringify(item.trim())} in {% ${statement} %}: only string literals`);
    return literal[1] ?? literal[2]!;
  });
}

function renderNodes(nodes: Node[], scope: Map<string, Value>, context: RenderContext): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += node.text;
        break;
      case 'print':
        out += evaluate(node.expression, scope, context);
        break;
      case 'set':
        scope.set(node.name, node.values);
        break;
      case 'for': {
        const values = scope.get(node.iterable);
        if (!Array.isArray(values)) throw new Error(`{% for ${node.variable} in ${node.iterable} %}: ${node.iterable} is not a list`);
        for (const value of values) {
          // A loop variable shadows an outer one only inside the loop, as in Jinja.
          out += renderNodes(node.body, new Map([...scope, [node.variable, value]]), context);
        }
        break;
      }
    }
  }
  return out;
}

function evaluate(expression: string, scope: Map<string, Value>, context: RenderContext): string {
  const call = /^(ref|doc)\(\s*('[^']*'|"[^"]*")\s*\)$/.exec(expression);
  if (call) {
    const argument = call[2]!.slice(1, -1);
    if (call[1] === 'ref') return argument;
    const text = context.docs?.get(argument);
    if (text === undefined) throw new Error(`{{ doc('${argument}') }}: no {% docs ${argument} %} block`);
    return text;
  }
  if (IDENTIFIER.test(expression)) {
    const value = scope.get(expression);
    if (typeof value !== 'string') throw new Error(`{{ ${expression} }}: ${value === undefined ? 'undefined variable' : 'cannot print a list'}`);
    return value;
  }
  throw new Error(`unsupported Jinja expression {{ ${expression} }} (the jaffle_shop renderer handles ref(), doc() and plain variables)`);
}

/**
 * The `{% docs name %} ... {% enddocs %}` blocks of a dbt docs file, trimmed.
 *
 * @example
 * ```ts
 * readDocBlocks('{% docs status %}\nOrder status\n{% enddocs %}').get('status'); // "Order status"
 * ```
 */
export function readDocBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(/\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}([\s\S]*?)\{%-?\s*enddocs\s*-?%\}/g)) {
    blocks.set(match[1]!, match[2]!.trim());
  }
  return blocks;
}
