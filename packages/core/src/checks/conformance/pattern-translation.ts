/**
 * Patterns of other tools in the words of Weir's `regex` check. Weir has no LIKE check: a LIKE
 * pattern is a regex anchored at both ends, which is how a user porting a suite would write it.
 * Lists of patterns become one alternation when any one must match.
 */

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/**
 * The anchored regex equivalent to a SQL LIKE pattern (`%` any run, `_` one character).
 * Character classes such as `[a]` are SQL Server extensions and are taken literally, as
 * standard LIKE (SQLite, PostgreSQL, DuckDB) does.
 *
 * @example
 * ```ts
 * likeToRegex('a%'); // '^a.*$'
 * likeToRegex('%[b]_'); // '^.*\[b\].$'
 * ```
 */
export function likeToRegex(like: string): string {
  let out = '';
  for (const char of like) {
    if (char === '%') out += '.*';
    else if (char === '_') out += '.';
    else out += char.replace(REGEX_SPECIAL, '\\$&');
  }
  // (?s) is not needed: the harness data has no line breaks, and JS (which validates patterns) lacks it.
  return `^${out}$`;
}

/**
 * One regex matching when any of `patterns` matches.
 *
 * @example
 * ```ts
 * anyOf(['^a', 'b$']); // '(?:^a)|(?:b$)'
 * ```
 */
export function anyOf(patterns: readonly string[]): string {
  return patterns.length === 1 ? (patterns[0] as string) : patterns.map((pattern) => `(?:${pattern})`).join('|');
}

/**
 * Distinct entries of a list, in order (an upstream list may repeat a pattern).
 *
 * @example
 * ```ts
 * distinct(['@', '@', '&']); // ['@', '&']
 * ```
 */
export function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
