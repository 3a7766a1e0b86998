/**
 * `weir profile` for people: one line per column (type, nulls, distinct, range, mean, lengths),
 * then the most frequent values and the text patterns found, column by column.
 */
import type { ColumnProfile, RelationProfile } from '@weir/core';
import { cellText, formatTable } from './format-table.js';

/** What the heading says about the version profiled. */
export interface ProfileHeading {
  asset: string;
  version: string;
  environment: string;
  live: boolean;
}

const SHORT = 24;

/**
 * The profile as text for the terminal.
 *
 * @example
 * ```ts
 * process.stdout.write(formatProfile(profile, { asset: 'orders', version: 'ab12', environment: 'prod', live: true }));
 * ```
 */
export function formatProfile(profile: RelationProfile, heading: ProfileHeading): string {
  const lines: string[] = [];
  const where = heading.live ? `live in ${heading.environment}` : `not live in ${heading.environment}`;
  lines.push(`${heading.asset}  version ${heading.version} (${where})`);
  lines.push(
    profile.sample.complete
      ? `${number(profile.rows)} rows, every one read`
      : `${number(profile.rows)} rows; values, patterns, lengths and standard deviations from a random sample of ${number(profile.sample.rows)} rows (distinct counts marked ~ are estimates)`,
  );
  lines.push('');
  const rows = profile.columns.map((column) => ({
    column: column.name,
    type: column.type,
    nulls: column.nulls === 0 ? '0' : `${number(column.nulls)} (${percent(column.nullShare)})`,
    distinct: `${column.distinctExact ? '' : '~'}${number(column.distinct)}`,
    min: short(column.min),
    max: short(column.max),
    'mean ± stddev': column.mean === null ? '' : `${number(column.mean)}${column.stddev === null ? '' : ` ± ${number(column.stddev)}`}`,
    length: column.length === null ? '' : column.length.min === column.length.max ? String(column.length.min) : `${column.length.min}-${column.length.max}`,
  }));
  lines.push(formatTable(rows, ['column', 'type', 'nulls', 'distinct', 'min', 'max', 'mean ± stddev', 'length']));

  const values = profile.columns.map((column) => [column.name, valuesLine(column)] as const).filter(([, line]) => line !== '');
  if (values.length > 0) {
    lines.push('', 'Most frequent values');
    const width = Math.max(...values.map(([name]) => name.length));
    for (const [name, line] of values) lines.push(`  ${name.padEnd(width)}  ${line}`);
  }
  const patterns = profile.columns.filter((column) => column.patterns.length > 0);
  if (patterns.length > 0) {
    lines.push('', `Patterns (share of ${profile.sample.complete ? '' : 'sampled '}non-null values)`);
    const width = Math.max(...patterns.map((column) => column.name.length));
    for (const column of patterns) {
      const found = column.patterns.map((pattern) => `${pattern.pattern}${pattern.format ? ` ${pattern.format}` : ''} ${percent(pattern.share)}`);
      lines.push(`  ${column.name.padEnd(width)}  ${found.join(' · ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The frequent values of a column; empty when no value occurs twice (keys, free text). */
function valuesLine(column: ColumnProfile): string {
  const { counts, source, complete } = column.values;
  if (counts.length === 0 || (counts[0]?.count ?? 0) < 2) return '';
  const shown = complete ? counts : counts.slice(0, 5);
  const text = shown.map((entry) => `${short(entry.value)} (${number(entry.count)})`).join(' · ');
  const note = source === 'table' ? (complete ? 'every value' : 'exact counts') : 'in the sample';
  return `${text}   (${note})`;
}

function short(value: unknown): string {
  // Timestamps as people write them: 2024-01-01 00:35:11.
  const text = value instanceof Date ? cellText(value).replace('T', ' ').replace(/(\.000)?Z$/, '') : cellText(value);
  return text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text;
}

function number(value: number): string {
  // Two decimals for ordinary magnitudes; small fractions keep their significant digits.
  return Math.abs(value) >= 1 || value === 0 ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : value.toLocaleString('en-US', { maximumSignificantDigits: 4 });
}

function percent(share: number): string {
  const value = share * 100;
  return `${value < 10 ? value.toPrecision(2) : value.toFixed(1)}%`;
}
