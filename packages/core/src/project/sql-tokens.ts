/**
 * A small SQL tokenizer: just enough to find a model's header block, its statement separators and
 * its first keyword without being fooled by strings, quoted identifiers or comments. The real
 * parsing (tables, syntax errors) is DuckDB's, in `graph/`.
 */

/** A significant token of SQL text. Whitespace and comments are skipped. */
export interface SqlToken {
  kind: 'word' | 'string' | 'identifier' | 'semicolon' | 'symbol';
  /** Character offset of the token's first character. */
  offset: number;
  /** Character offset just after the token. */
  end: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Splits SQL into significant tokens. Unterminated strings and comments run to the end of the
 * text: reporting them is the engine's job, with its own message.
 *
 * @example
 * ```ts
 * tokenizeSql("select ';' -- ;\n;").map((t) => t.kind); // ['word', 'string', 'semicolon']
 * ```
 */
export function tokenizeSql(text: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    const next = text[index + 1] ?? '';
    if (/\s/.test(char)) {
      index++;
    } else if (char === '-' && next === '-') {
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? text.length : newline + 1;
    } else if (char === '/' && next === '*') {
      index = skipBlockComment(text, index);
    } else if (char === "'") {
      const end = skipQuoted(text, index, "'", false);
      tokens.push({ kind: 'string', offset: index, end });
      index = end;
    } else if (char === '"') {
      const end = skipQuoted(text, index, '"', false);
      tokens.push({ kind: 'identifier', offset: index, end });
      index = end;
    } else if (char === '$' && /[A-Za-z_$]/.test(next)) {
      const end = skipDollarQuoted(text, index);
      tokens.push({ kind: end === index + 1 ? 'symbol' : 'string', offset: index, end });
      index = end;
    } else if (char === ';') {
      tokens.push({ kind: 'semicolon', offset: index, end: index + 1 });
      index++;
    } else if (WORD_START.test(char)) {
      let end = index + 1;
      while (end < text.length && WORD_PART.test(text[end] ?? '')) end++;
      // E'...' strings take backslash escapes, so a \' inside one must not end it.
      if ((end - index === 1 && (char === 'e' || char === 'E')) && text[end] === "'") {
        end = skipQuoted(text, end, "'", true);
        tokens.push({ kind: 'string', offset: index, end });
      } else {
        tokens.push({ kind: 'word', offset: index, end });
      }
      index = end;
    } else {
      tokens.push({ kind: 'symbol', offset: index, end: index + 1 });
      index++;
    }
  }
  return tokens;
}

/** Skips a (nestable, as in PostgreSQL and DuckDB) block comment starting at `start`. */
export function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let index = start;
  while (index < text.length) {
    if (text.startsWith('/*', index)) {
      depth++;
      index += 2;
    } else if (text.startsWith('*/', index)) {
      depth--;
      index += 2;
      if (depth === 0) return index;
    } else {
      index++;
    }
  }
  return text.length;
}

function skipQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (backslashEscapes && char === '\\') {
      index += 2;
    } else if (char === quote) {
      if (text[index + 1] === quote) index += 2;
      else return index + 1;
    } else {
      index++;
    }
  }
  return text.length;
}

/** Skips `$tag$ ... $tag$`; returns `start + 1` when the `$` does not open a dollar quote. */
function skipDollarQuoted(text: string, start: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(start, start + 64));
  if (!match) return start + 1;
  const close = text.indexOf(match[0], start + match[0].length);
  return close === -1 ? text.length : close + match[0].length;
}
