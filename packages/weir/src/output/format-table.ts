/**
 * Plain aligned tables for the terminal. Cells are stringified; long cells are cut so one wide
 * value cannot wreck the layout.
 */

const MAX_CELL = 60;

/** Renders a value for a table cell: numbers with thousands separators, null as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  if (value instanceof Date) return dateText(value);
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/** A date at midnight UTC is a DATE value: shown without a time. */
function dateText(value: Date): string {
  const iso = value.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/**
 * Formats rows as an aligned text table with a header line.
 *
 * @example
 * ```ts
 * console.log(formatTable([{ name: 'orders', rows: 1200 }], ['name', 'rows']));
 * ```
 */
export function formatTable(rows: ReadonlyArray<object>, columns: string[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText((row as Record<string, unknown>)[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((line) => line[index]?.length ?? 0)));
  const render = (line: string[]): string => line.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  return [render(columns), render(widths.map((width) => '-'.repeat(width))), ...cells.map(render)].join('\n');
}

/** Formats rows as CSV (RFC 4180 quoting). */
export function formatCsv(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const quote = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = value instanceof Date ? dateText(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [columns.map(quote).join(','), ...rows.map((row) => columns.map((column) => quote(row[column])).join(','))].join('\n');
}

/** Formats milliseconds for people: 850ms, 2.4s, 3m 05s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
