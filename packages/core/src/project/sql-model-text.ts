/**
 * The text layout of a SQL model file: an optional `/*--- yaml ---*\/` header block at the start,
 * then exactly one query. Offsets are kept exact so that every position the engine reports in the
 * query maps back to a line and column of the file.
 */
import { lineColumnAt } from './text-position.js';
import { skipBlockComment, tokenizeSql } from './sql-tokens.js';

const HEADER_OPEN = '/*---';
const HEADER_CLOSE = '---*/';

/** A model file split into its header block and its query. */
export interface ModelFileParts {
  /** The YAML between the header markers, or undefined when the file has no header. */
  headerYaml: string | undefined;
  /** 1-based line of the file where `headerYaml` begins (the line of the opening marker). */
  headerLine: number;
  /** The query text, laid out so that its line 1 column c is file line `sqlStartLine` column c. */
  sql: string;
  sqlStartLine: number;
}

/** A problem found in a model's text, at a character offset of the file or of `sql`. */
export interface ModelTextProblem {
  message: string;
  line: number;
  column: number;
}

/**
 * Splits a model file. The header must come first (only whitespace and comments may precede it);
 * a `/*---` later in the file is an ordinary comment.
 *
 * When the rest of the header's closing line is blank, the query starts on the next line. When
 * it is not (`---*\/ select ...`), the header part of that line is replaced by spaces, so columns
 * on that line still match the file.
 */
export function splitModelFile(text: string): ModelFileParts | ModelTextProblem {
  const open = findHeaderOpen(text);
  if (open === undefined) return { headerYaml: undefined, headerLine: 1, sql: text, sqlStartLine: 1 };
  const close = text.indexOf(HEADER_CLOSE, open + HEADER_OPEN.length);
  const headerLine = lineColumnAt(text, open).line;
  if (close === -1) {
    return { message: `the header block opened here is never closed with "${HEADER_CLOSE}"`, line: headerLine, column: lineColumnAt(text, open).column };
  }
  const headerYaml = text.slice(open + HEADER_OPEN.length, close);
  const afterHeader = close + HEADER_CLOSE.length;
  const newline = text.indexOf('\n', afterHeader);
  const restOfLine = text.slice(afterHeader, newline === -1 ? text.length : newline);
  const closeLine = lineColumnAt(text, close).line;
  if (restOfLine.trim() === '') {
    return { headerYaml, headerLine, sql: newline === -1 ? '' : text.slice(newline + 1), sqlStartLine: closeLine + 1 };
  }
  const lineStart = text.lastIndexOf('\n', afterHeader - 1) + 1;
  return { headerYaml, headerLine, sql: ' '.repeat(afterHeader - lineStart) + text.slice(afterHeader), sqlStartLine: closeLine };
}

function findHeaderOpen(text: string): number | undefined {
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (/\s/.test(char)) {
      index++;
    } else if (text.startsWith(HEADER_OPEN, index)) {
      return index;
    } else if (text.startsWith('--', index)) {
      const newline = text.indexOf('\n', index);
      if (newline === -1) return undefined;
      index = newline + 1;
    } else if (text.startsWith('/*', index)) {
      index = skipBlockComment(text, index);
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Words a model's query may start with: SELECT and its DuckDB relatives. */
const QUERY_KEYWORDS = new Set(['select', 'with', 'from', 'values', 'table', 'pivot', 'unpivot']);

/**
 * Checks that `sql` is one query and strips its trailing semicolon(s). Only text after the last
 * significant token is removed, so every offset into the query stays valid.
 *
 * Positions in problems are relative to `sql` (add `sqlStartLine - 1` to the line).
 */
export function normaliseModelQuery(sql: string): { sql: string } | ModelTextProblem {
  const tokens = tokenizeSql(sql);
  const significant = tokens.filter((token) => token.kind !== 'semicolon');
  const first = significant[0];
  const last = significant[significant.length - 1];
  if (first === undefined || last === undefined) {
    return { message: 'the model has no query: write one SELECT (or WITH ... SELECT) after the header', ...lineColumnAt(sql, sql.length) };
  }
  const inner = tokens.find((token) => token.kind === 'semicolon' && token.offset < last.offset);
  if (inner !== undefined) {
    return { message: 'a model is exactly one query, but this ";" starts another statement; split it into two models', ...lineColumnAt(sql, inner.offset) };
  }
  const firstWord = first.kind === 'word' ? sql.slice(first.offset, first.end).toLowerCase() : undefined;
  const opensWithParen = first.kind === 'symbol' && sql[first.offset] === '(';
  if (!opensWithParen && (firstWord === undefined || !QUERY_KEYWORDS.has(firstWord))) {
    const found = sql.slice(first.offset, first.end);
    return { message: `a model must be a SELECT or WITH query, but this one starts with "${found}"`, ...lineColumnAt(sql, first.offset) };
  }
  let stripped = sql;
  for (const token of tokens.filter((candidate) => candidate.kind === 'semicolon').reverse()) {
    stripped = stripped.slice(0, token.offset) + stripped.slice(token.end);
  }
  return { sql: stripped };
}
