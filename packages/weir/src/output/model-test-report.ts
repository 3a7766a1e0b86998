/**
 * What `weir test` prints: one line per test, and for a failure the row diff as an aligned table,
 * rows expected but not produced marked `-`, rows produced but not expected marked `+`.
 */
import { resultLocation, type DiffRow, type ModelTestResult, type RowDiff } from '@weir/core';

// A diff of a large fixture is cut here in the terminal; --json has every row.
const MAX_DIFF_ROWS = 40;
const MAX_CELL = 60;

/**
 * The lines for one finished test (ending with a newline).
 *
 * @example
 * ```ts
 * process.stdout.write(formatTestResult(result));
 * ```
 */
export function formatTestResult(result: ModelTestResult): string {
  const title = `${result.model}: ${result.name}`;
  if (result.status === 'passed') return `PASS  ${title}\n`;
  const lines = [`${(result.status === 'failed' ? 'FAIL' : 'ERROR').padEnd(5)} ${title}  (${result.file}:${result.line})`];
  if (result.message !== undefined) {
    const where = result.location === undefined ? '' : `${resultLocation(result)}: `;
    for (const [index, line] of `${result.diff === undefined ? where : ''}${result.message}`.split('\n').entries()) lines.push(`${index === 0 ? '      ' : '        '}${line}`);
  }
  if (result.diff !== undefined) lines.push(...formatDiff(result.diff).map((line) => `      ${line}`));
  return `${lines.join('\n')}\n`;
}

/**
 * The closing summary line: `5 tests: 4 passed, 1 failed`.
 *
 * @example
 * ```ts
 * process.stdout.write(formatTestSummary(results));
 * ```
 */
export function formatTestSummary(results: readonly ModelTestResult[]): string {
  const count = (status: ModelTestResult['status']): number => results.filter((result) => result.status === status).length;
  const parts = [`${count('passed')} passed`, `${count('failed')} failed`, ...(count('error') > 0 ? [`${count('error')} could not run`] : [])];
  return `\n${results.length} test${results.length === 1 ? '' : 's'}: ${parts.join(', ')}\n`;
}

/** The diff as table lines: a legend, a header and one line per differing row. */
export function formatDiff(diff: RowDiff): string[] {
  type Line = { mark: '-' | '+'; row: DiffRow; note: string };
  const entries: Line[] = [
    ...diff.missing.map((row): Line => ({ mark: '-', row, note: `expected row ${row.position}` })),
    ...diff.unexpected.map((row): Line => ({ mark: '+', row, note: `produced row ${row.position}` })),
  ];
  if (diff.order === 'keep') entries.sort((left, right) => left.row.position - right.row.position || (left.mark === '-' ? -1 : 1));
  else {
    // By the first column (most often a key), expected before produced, then by the rest: a row
    // that came out different sits right under the row that was expected.
    const [first = '', ...rest] = diff.columns;
    entries.sort(
      (left, right) =>
        compareRowsForDisplay(left.row, right.row, [first]) ||
        (left.mark === right.mark ? 0 : left.mark === '-' ? -1 : 1) ||
        compareRowsForDisplay(left.row, right.row, rest),
    );
  }
  const shown = entries.slice(0, MAX_DIFF_ROWS);
  const cells = shown.map((entry) => [entry.mark, ...diff.columns.map((column) => cell(entry.row.values[column])), entry.note]);
  const header = ['', ...diff.columns, ''];
  const widths = header.map((text, index) => Math.max(text.length, ...cells.map((line) => line[index]?.length ?? 0)));
  const render = (line: string[]): string => line.map((text, index) => text.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  const lines = ['- expected, not produced   + produced, not expected', render(header), ...cells.map(render)];
  if (entries.length > shown.length) lines.push(`... and ${entries.length - shown.length} more (weir test --json lists every row)`);
  return lines;
}

function compareRowsForDisplay(left: DiffRow, right: DiffRow, columns: string[]): number {
  for (const column of columns) {
    const a = left.values[column];
    const b = right.values[column];
    if (a === b) continue;
    if (a === null || a === undefined) return -1;
    if (b === null || b === undefined) return 1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const textA = cell(a);
    const textB = cell(b);
    if (textA !== textB) return textA < textB ? -1 : 1;
  }
  return 0;
}

/** A value as a diff shows it: NULL for null, text quoted only when it would be ambiguous. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  let text: string;
  if (typeof value === 'string') text = value === '' || value === 'NULL' || value.trim() !== value ? JSON.stringify(value) : value;
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}
