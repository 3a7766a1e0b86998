import { describe, expect, it } from 'vitest';
import { describeOnEachEngine } from '../testing/profiling-engines.js';
import { detectPatterns, VALUE_PATTERNS } from './detect-patterns.js';

/** Values of every kind, and near misses. */
const VALUES = [
  'ada@example.com', 'a.b+c@mail.example.org', 'no-at-sign.example.com', 'two@@example.com', 'spa ce@example.com',
  '123e4567-e89b-12d3-a456-426614174000', '123e4567-e89b-12d3-a456-42661417400', 'https://weir.dev/docs?x=1', 'ftp://files.example', 'http:/broken',
  '192.168.0.1', '256.1.1.1', '10.0.0', '2024-02-29', '2023-02-29', '2024-13-01', '31/12/2024', '12/31/2024', '05.06.2024', '2024/06/05', '05-06-2024',
  '2024-06-05 13:45:00', '2024-06-05T13:45:00', '2024-06-05T13:45:00.123Z', '2024-06-05 13:45+02:00', '2024-06-05 25:00:00',
  '+49 30 1234567', '(555) 123-4567', '555.123.4567', '12.50', '5551234567', '-42', '+7', '3.14', '.5', '1e-3', '1.2.3',
  '{"a": [1, 2]}', '[1, 2', '[]', 'plain text',
];

describe('detectPatterns', () => {
  const matching = (value: string): string[] =>
    VALUE_PATTERNS.filter((pattern) => pattern.matches(value)).map((pattern) => (pattern.format ? `${pattern.name} ${pattern.format}` : pattern.name));

  it('tells the kinds of text apart, most specific first', () => {
    expect(matching('ada@example.com')).toEqual(['email']);
    expect(matching('no-at-sign.example.com')).toEqual([]);
    expect(matching('123e4567-e89b-12d3-a456-426614174000')).toEqual(['uuid']);
    expect(matching('https://weir.dev/docs?x=1')).toEqual(['url']);
    expect(matching('192.168.0.1')).toEqual(['ipv4']);
    expect(matching('256.1.1.1')).toEqual([]);
    expect(matching('2024-02-29')).toEqual(['date %Y-%m-%d']);
    // 2023 is no leap year; month 13 does not exist.
    expect(matching('2023-02-29')).toEqual([]);
    expect(matching('2024-13-01')).toEqual([]);
    expect(matching('31/12/2024')).toEqual(['date %d/%m/%Y']);
    expect(matching('12/31/2024')).toEqual(['date %m/%d/%Y']);
    expect(matching('05.06.2024')).toEqual(['date %d.%m.%Y']);
    expect(matching('05-06-2024')).toEqual(['date %d-%m-%Y', 'date %m-%d-%Y']);
    expect(matching('2024-06-05 13:45:00')).toEqual(['timestamp %Y-%m-%d %H:%M:%S', 'timestamp']);
    expect(matching('2024-06-05T13:45:00.123Z')).toEqual(['timestamp']);
    expect(matching('2024-06-05 25:00:00')).toEqual([]);
    expect(matching('+49 30 1234567')).toEqual(['phone']);
    expect(matching('(555) 123-4567')).toEqual(['phone']);
    // Numbers and dates are not phone numbers.
    expect(matching('5551234567')).toEqual(['integer', 'decimal']);
    expect(matching('12.50')).toEqual(['decimal']);
    expect(matching('1e-3')).toEqual(['decimal']);
    expect(matching('1.2.3')).toEqual([]);
    expect(matching('{"a": [1, 2]}')).toEqual(['json']);
    expect(matching('[1, 2')).toEqual([]);
  });

  it('reports the share of values matching each pattern, above the threshold', () => {
    const values = ['2024-01-31', '2024-02-01', '2024-02-02', 'n/a'];
    expect(detectPatterns(values)).toEqual([{ pattern: 'date', format: '%Y-%m-%d', matches: 3, share: 0.75 }]);
    expect(detectPatterns(values, 0.8)).toEqual([]);
    expect(detectPatterns([])).toEqual([]);
  });
});

await describeOnEachEngine('pattern regexes', (current) => {
  it('match the same values in the engine as in JavaScript', async () => {
    const { session, kind } = current();
    const match = kind === 'duckdb' ? 'regexp_matches(v, $2)' : '(v ~ $2)';
    for (const pattern of VALUE_PATTERNS) {
      const compiled = new RegExp(pattern.regex);
      const expected = VALUES.filter((value) => compiled.test(value));
      const rows = await session.query(`SELECT v FROM (SELECT unnest(CAST($1 AS VARCHAR[])) AS v) AS t WHERE ${match} ORDER BY v`, [VALUES, pattern.regex]);
      expect({ pattern: pattern.regex, matched: rows.map((row) => row.v) }).toEqual({ pattern: pattern.regex, matched: [...expected].sort(byCodePoint) });
    }
  });
});

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
