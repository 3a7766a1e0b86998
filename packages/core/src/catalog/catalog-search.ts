/**
 * Full-text search over catalog entries: tokenised, case-insensitive, prefix matching, ranked by
 * the field that matched, and saying where each match is so a page can highlight it.
 *
 * `searchCatalog` is deliberately one self-contained function (no imports, no module-level helpers):
 * `weir docs` embeds its source (`searchCatalog.toString()`) in the exported site, so the static
 * site and the server search the same way. Keep it that way when editing.
 */
import type { CatalogEntry } from './catalog-entry.js';

/** A field of an entry a search term can match. */
export type CatalogField = 'name' | 'column' | 'tag' | 'owner' | 'kind' | 'description' | 'column_description';

/** One matched field value and the character ranges to highlight in it. */
export interface CatalogMatch {
  field: CatalogField;
  /** The whole value matched (a column's name for `column`, its description for `column_description`). */
  text: string;
  /** The column, for `column` and `column_description`. */
  column?: string;
  /** `[start, end)` offsets into `text`, in order, not overlapping. */
  ranges: Array<[number, number]>;
}

/** One entry that matched every term. */
export interface CatalogHit {
  name: string;
  kind: string;
  description: string | null;
  owner: string | null;
  tags: string[];
  file: string;
  /** Higher is better: the sum over terms of the best field each term matched. */
  score: number;
  /** Every field value any term matched, names first, then columns, tags, owner, kind, descriptions. */
  matches: CatalogMatch[];
}

/** What {@link searchCatalog} returns. */
export interface CatalogSearchResult {
  /** Entries matched, before `limit`. */
  total: number;
  /** The best `limit` of them, best first. */
  hits: CatalogHit[];
}

/**
 * Searches `entries` for `query`. Every space-separated term must match (AND), in any field;
 * `field:term` limits a term to one field (`name:`, `column:` or `col:`, `tag:`, `owner:`, `kind:`,
 * `description:` or `desc:`). Words are split at anything but letters and digits and at camelCase,
 * so `email` finds `customer_email`; a term matches words that start with it (`cust` finds
 * `customer`), and a term of several words (`customer_id`) must match them in a row in one value.
 * Ranking by field: name (1000) over column name (100) over tag, owner, kind (10) over
 * descriptions (1), doubled when the term is the whole value; ties go to the shorter, then the
 * alphabetically first name. An empty query matches nothing.
 *
 * @example
 * ```ts
 * const { hits } = searchCatalog(entries, 'email', { limit: 10 });
 * hits[0]; // { name: 'customers', score: 200, matches: [{ field: 'column', column: 'email', text: 'email', ranges: [[0, 5]] }], ... }
 * ```
 */
export function searchCatalog(entries: readonly CatalogEntry[], query: string, options: { limit?: number } = {}): CatalogSearchResult {
  type Field = CatalogField;
  type Token = { word: string; start: number; end: number };
  const weights: Record<Field, number> = { name: 1000, column: 100, tag: 10, owner: 10, kind: 10, description: 1, column_description: 1 };
  const order: Field[] = ['name', 'column', 'tag', 'owner', 'kind', 'description', 'column_description'];
  const aliases: Record<string, Field[]> = {
    name: ['name'],
    column: ['column', 'column_description'],
    col: ['column', 'column_description'],
    tag: ['tag'],
    owner: ['owner'],
    kind: ['kind'],
    description: ['description', 'column_description'],
    desc: ['description', 'column_description'],
  };

  // Words of a text with their offsets: runs of letters and digits, split again at camelCase.
  const tokenise = (text: string): Token[] => {
    const tokens: Token[] = [];
    for (const run of text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const start = run.index ?? 0;
      for (const part of run[0].matchAll(/\p{Lu}+(?!\p{Ll})|\p{Lu}?[\p{Ll}\p{N}]+|\p{Lu}+|[^\p{Lu}\p{Ll}\p{N}]+|[\p{L}\p{N}]/gu)) {
        const at = start + (part.index ?? 0);
        tokens.push({ word: part[0].toLowerCase(), start: at, end: at + part[0].length });
      }
    }
    return tokens;
  };

  const terms = query
    .split(/\s+/)
    .filter((raw) => raw !== '')
    .map((raw) => {
      const colon = raw.indexOf(':');
      const prefix = colon > 0 ? raw.slice(0, colon).toLowerCase() : '';
      const fields = aliases[prefix];
      const text = fields === undefined ? raw : raw.slice(colon + 1);
      return { raw: text.toLowerCase(), words: tokenise(text).map((token) => token.word), fields: fields ?? order };
    })
    .filter((term) => term.words.length > 0);
  if (terms.length === 0) return { total: 0, hits: [] };

  // Where `words` occur in a row in `tokens` (every word whole but the last, which may be a prefix).
  const find = (tokens: Token[], words: string[]): Array<[number, number]> => {
    const found: Array<[number, number]> = [];
    for (let index = 0; index + words.length <= tokens.length; index += 1) {
      const matched = words.every((word, offset) => {
        const token = tokens[index + offset] as Token;
        return offset === words.length - 1 ? token.word.startsWith(word) : token.word === word;
      });
      if (!matched) continue;
      const first = tokens[index] as Token;
      const last = tokens[index + words.length - 1] as Token;
      found.push([first.start, last.start + (words[words.length - 1] as string).length]);
    }
    return found;
  };

  // Overlapping or touching ranges become one.
  const merge = (ranges: Array<[number, number]>): Array<[number, number]> => {
    const sorted = [...ranges].sort((left, right) => left[0] - right[0] || left[1] - right[1]);
    const merged: Array<[number, number]> = [];
    for (const range of sorted) {
      const previous = merged[merged.length - 1];
      if (previous !== undefined && range[0] <= previous[1]) previous[1] = Math.max(previous[1], range[1]);
      else merged.push([range[0], range[1]]);
    }
    return merged;
  };

  const hits: CatalogHit[] = [];
  for (const entry of entries) {
    const values: Array<{ field: Field; text: string; column?: string }> = [{ field: 'name', text: entry.name }];
    for (const column of entry.columns) values.push({ field: 'column', text: column.name, column: column.name });
    for (const tag of entry.tags) values.push({ field: 'tag', text: tag });
    if (entry.owner !== null) values.push({ field: 'owner', text: entry.owner });
    values.push({ field: 'kind', text: entry.kind });
    if (entry.description !== null) values.push({ field: 'description', text: entry.description });
    for (const column of entry.columns) if (column.description !== null) values.push({ field: 'column_description', text: column.description, column: column.name });

    // Each value is split into words once, and only when a term may match it: splitting is the
    // costly part, and most values do not even contain the term's letters.
    const lowerOf: string[] = [];
    const tokensOf: Token[][] = [];
    const matched = new Map<number, Array<[number, number]>>();
    let score = 0;
    let every = true;
    for (const term of terms) {
      let best = 0;
      values.forEach((value, index) => {
        if (!term.fields.includes(value.field)) return;
        const lower = (lowerOf[index] ??= value.text.toLowerCase());
        if (!term.words.every((word) => lower.includes(word))) return;
        const ranges = find((tokensOf[index] ??= tokenise(value.text)), term.words);
        if (ranges.length === 0) return;
        matched.set(index, [...(matched.get(index) ?? []), ...ranges]);
        best = Math.max(best, weights[value.field] * (value.text.toLowerCase() === term.raw ? 2 : 1));
      });
      if (best === 0) {
        every = false;
        break;
      }
      score += best;
    }
    if (!every) continue;
    const matches: CatalogMatch[] = [...matched]
      .map(([index, ranges]) => ({ value: values[index] as (typeof values)[number], ranges }))
      .sort((left, right) => order.indexOf(left.value.field) - order.indexOf(right.value.field))
      .map(({ value, ranges }) => ({ field: value.field, text: value.text, ...(value.column === undefined ? {} : { column: value.column }), ranges: merge(ranges) }));
    hits.push({ name: entry.name, kind: entry.kind, description: entry.description, owner: entry.owner, tags: entry.tags, file: entry.file, score, matches });
  }
  hits.sort((left, right) => right.score - left.score || left.name.length - right.name.length || (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  return { total: hits.length, hits: options.limit === undefined ? hits : hits.slice(0, options.limit) };
}
