/**
 * Recognising what text values look like (emails, UUIDs, dates in a given format, numbers kept as
 * text, ...) on a sample of a column. Each pattern carries one anchored regular expression written
 * so that JavaScript, DuckDB (RE2) and PostgreSQL read it alike: the same text detects the pattern
 * here, verifies it on the whole table in the engine, and goes into a suggested `regex` check.
 * What a regular expression cannot say (February has no 30th, JSON must parse) is checked in
 * JavaScript on the sample, and in the engine where it can parse (see `profile-dialect.ts`).
 */

/** The patterns profiling reports. */
export type PatternName = 'uuid' | 'email' | 'url' | 'ipv4' | 'timestamp' | 'date' | 'phone' | 'integer' | 'decimal' | 'json';

/** What a value parses as, for a `parseable` check. */
export type ParseTarget = 'date' | 'timestamp' | 'integer' | 'number' | 'json';

/** One recognisable shape of text values. */
export interface ValuePattern {
  name: PatternName;
  /** strptime-style format, for dates and timestamps of one fixed shape. */
  format?: string;
  /** Anchored; the same text works in JavaScript, RE2 (DuckDB) and PostgreSQL. */
  regex: string;
  /** What the values parse as; undefined for shapes only (email, phone, ...), which become `regex` checks. */
  parseAs?: ParseTarget;
  /** Whether one value has this shape (the regex, plus what it cannot express). */
  matches(value: string): boolean;
}

/** A pattern found in a column's sampled values. */
export interface DetectedPattern {
  pattern: PatternName;
  format?: string;
  /** Sampled non-null values that match. */
  matches: number;
  /** `matches` / sampled non-null values. */
  share: number;
}

const regexPattern = (name: PatternName, regex: string, extra?: (value: string) => boolean, parseAs?: ParseTarget): ValuePattern => {
  const compiled = new RegExp(regex);
  return { name, regex, ...(parseAs ? { parseAs } : {}), matches: (value) => compiled.test(value) && (extra ? extra(value) : true) };
};

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4_REGEX = `^(${OCTET}[.]){3}${OCTET}$`;
const ipv4Like = new RegExp(IPV4_REGEX);
const DECIMAL_REGEX = '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$';
const decimalLike = new RegExp(DECIMAL_REGEX);

/** strptime tokens: the regex of each, and which calendar field it fills. */
const TOKENS: Record<string, { regex: string; field?: 'year' | 'month' | 'day' }> = {
  '%Y': { regex: '([0-9]{4})', field: 'year' },
  '%m': { regex: '(0[1-9]|1[0-2])', field: 'month' },
  '%d': { regex: '(0[1-9]|[12][0-9]|3[01])', field: 'day' },
  '%H': { regex: '([01][0-9]|2[0-3])' },
  '%M': { regex: '([0-5][0-9])' },
  '%S': { regex: '([0-5][0-9])' },
};

/**
 * A pattern for values written in a strptime `format`. The regex keeps months and days in range;
 * the JavaScript test also rejects days a month does not have (2024-02-30).
 */
function formatPattern(name: 'date' | 'timestamp', format: string): ValuePattern {
  const fields: Array<'year' | 'month' | 'day' | undefined> = [];
  let regex = '^';
  for (let index = 0; index < format.length; ) {
    const token = TOKENS[format.slice(index, index + 2)];
    if (token) {
      regex += token.regex;
      fields.push(token.field);
      index += 2;
    } else {
      const character = format[index] ?? '';
      regex += character === '.' ? '[.]' : character;
      index += 1;
    }
  }
  regex += '$';
  const compiled = new RegExp(regex);
  return {
    name,
    format,
    regex,
    parseAs: name,
    matches: (value) => {
      const found = compiled.exec(value);
      if (!found) return false;
      const parts: Partial<Record<'year' | 'month' | 'day', number>> = {};
      fields.forEach((field, index) => {
        if (field) parts[field] = Number(found[index + 1]);
      });
      return parts.day === undefined || parts.month === undefined || parts.day <= daysInMonth(parts.year ?? 2000, parts.month);
    },
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Date formats recognised, ISO first. Day-first and month-first can both match when no day exceeds 12. */
export const DATE_FORMATS = ['%Y-%m-%d', '%Y/%m/%d', '%d/%m/%Y', '%m/%d/%Y', '%d.%m.%Y', '%d-%m-%Y', '%m-%d-%Y'] as const;

/** Timestamp formats with one fixed shape; other ISO 8601 timestamps match the generic `timestamp` pattern. */
export const TIMESTAMP_FORMATS = ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S'] as const;

// Date-shaped, valid or not (2024-13-01 is a bad date, not a phone number).
const dateShaped = /^([0-9]{4}[-/.][0-9]{2}[-/.][0-9]{2}|[0-9]{2}[-/.][0-9]{2}[-/.][0-9]{4})([ T].*)?$/;

const DATE_AND_TIME_PATTERNS = [...DATE_FORMATS, ...TIMESTAMP_FORMATS].map((format) => formatPattern(format.includes('%H') ? 'timestamp' : 'date', format));

function isPhone(value: string): boolean {
  const digits = value.replace(/[^0-9]/g, '').length;
  // A plain run of digits is a number, 12.50 a decimal, 2024-01-31 a date and 10.0.0.1 an address;
  // a phone number has a "+" or separators, and is none of those.
  return (
    digits >= 7 &&
    digits <= 15 &&
    (value.startsWith('+') || /[ ().-]/.test(value)) &&
    !decimalLike.test(value) &&
    !ipv4Like.test(value) &&
    !dateShaped.test(value)
  );
}

function isJson(value: string): boolean {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every pattern, most specific first: a suggestion takes the first one that (nearly) every value
 * matches, so a column of ISO dates gets a date check rather than a phone or number one.
 */
export const VALUE_PATTERNS: readonly ValuePattern[] = [
  regexPattern('uuid', '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'),
  regexPattern('email', '^[^@\\s]+@[^@\\s]+[.][^@\\s]+$'),
  regexPattern('url', '^(https?|ftp)://[^\\s/?#]+[^\\s]*$'),
  regexPattern('ipv4', IPV4_REGEX),
  ...DATE_AND_TIME_PATTERNS.filter((pattern) => pattern.name === 'timestamp'),
  regexPattern(
    'timestamp',
    '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$',
    undefined,
    'timestamp',
  ),
  ...DATE_AND_TIME_PATTERNS.filter((pattern) => pattern.name === 'date'),
  regexPattern('phone', '^[+]?[0-9(][0-9 ().-]{5,18}[0-9]$', isPhone),
  regexPattern('integer', '^[+-]?[0-9]+$', undefined, 'integer'),
  // Integers match too: "decimal" means "parses as a number".
  regexPattern('decimal', DECIMAL_REGEX, undefined, 'number'),
  regexPattern('json', '^\\s*[[{]', isJson, 'json'),
];

/**
 * The patterns that at least `minShare` of `values` (a column's sampled non-null text values)
 * match, in the order of {@link VALUE_PATTERNS}.
 *
 * @example
 * ```ts
 * detectPatterns(['a@example.com', 'b@example.org', 'oops']);
 * // [{ pattern: 'email', matches: 2, share: 0.667 }]
 * detectPatterns(['31/01/2024', '01/02/2024']);
 * // [{ pattern: 'date', format: '%d/%m/%Y', matches: 2, share: 1 }]  (31 cannot be a month)
 * ```
 */
export function detectPatterns(values: readonly string[], minShare = 0.5): DetectedPattern[] {
  if (values.length === 0) return [];
  const found: DetectedPattern[] = [];
  for (const pattern of VALUE_PATTERNS) {
    let matches = 0;
    for (const value of values) if (pattern.matches(value)) matches++;
    const share = matches / values.length;
    if (matches > 0 && share >= minShare) found.push({ pattern: pattern.name, ...(pattern.format ? { format: pattern.format } : {}), matches, share });
  }
  return found;
}

/** The definition of a detected pattern (name and format identify it). */
export function patternDefinition(pattern: PatternName, format?: string): ValuePattern {
  const definition = VALUE_PATTERNS.find((candidate) => candidate.name === pattern && candidate.format === format);
  if (!definition) throw new Error(`no pattern ${pattern}${format ? ` with format ${format}` : ''}`);
  return definition;
}
