import { describe, expect, test } from 'vitest';
import { parseChecks } from './check-parser.js';

describe('parseChecks', () => {
  test('shorthands and object forms, with default names', () => {
    const { checks, issues } = parseChecks(
      [
        { not_null: 'id' },
        { not_null: ['email', 'country'] },
        { unique: ['customer_id', 'day'] },
        { unique: { column: 'id', severity: 'warn', name: 'id_is_unique' } },
        { accepted_values: { column: 'status', values: ['placed', 1, true] } },
        { row_count: { min: 1 } },
        { expression: 'amount >= 0' },
        { expression: { sql: 'total = amount + tax', severity: 'warn' } },
      ],
      ['checks'],
    );
    expect(issues).toEqual([]);
    expect(checks).toEqual([
      { type: 'not_null', column: 'id', name: 'not_null_id', severity: 'error' },
      { type: 'not_null', column: 'email', name: 'not_null_email', severity: 'error' },
      { type: 'not_null', column: 'country', name: 'not_null_country', severity: 'error' },
      { type: 'unique', columns: ['customer_id', 'day'], name: 'unique_customer_id_day', severity: 'error' },
      { type: 'unique', columns: ['id'], name: 'id_is_unique', severity: 'warn' },
      { type: 'accepted_values', column: 'status', values: ['placed', 1, true], name: 'accepted_values_status', severity: 'error' },
      { type: 'row_count', min: 1, name: 'row_count', severity: 'error' },
      { type: 'expression', sql: 'amount >= 0', name: 'expression_1', severity: 'error' },
      { type: 'expression', sql: 'total = amount + tax', name: 'expression_2', severity: 'warn' },
    ]);
  });

  test('an absent list is no checks', () => {
    expect(parseChecks(undefined, ['checks'])).toEqual({ checks: [], issues: [] });
  });

  test('an unknown type suggests the closest one, pointing at the key', () => {
    const { issues } = parseChecks([{ not_nul: 'id' }], ['checks']);
    expect(issues).toEqual([
      expect.objectContaining({ code: 'CONFIG_UNKNOWN_KEY', path: ['checks', 0, 'not_nul'], atKey: true, hint: 'did you mean "not_null"?' }),
    ]);
  });

  test('an unknown key inside an object form suggests the closest one', () => {
    const { issues } = parseChecks([{ accepted_values: { column: 'status', value: ['a'] } }], ['checks']);
    expect(issues).toContainEqual(expect.objectContaining({ code: 'CONFIG_UNKNOWN_KEY', path: ['checks', 0, 'accepted_values', 'value'], hint: 'did you mean "values"?' }));
  });

  test('severity written beside the type instead of inside it is explained', () => {
    const { issues } = parseChecks([{ not_null: 'id', severity: 'warn' }], ['checks']);
    expect(issues[0]?.message).toContain('"severity" belongs inside');
  });

  test('two checks with one name are rejected', () => {
    const { issues } = parseChecks([{ row_count: { min: 1 } }, { row_count: { max: 10 } }], ['checks']);
    expect(issues).toEqual([expect.objectContaining({ code: 'CONFIG_INVALID', path: ['checks', 1, 'row_count'], message: expect.stringContaining('"row_count"') })]);
  });

  test('wrong shapes say what was expected', () => {
    const cases: Array<[unknown, string]> = [
      [{ not_null: 3 }, 'not_null: column'],
      [{ accepted_values: 'status' }, 'accepted_values: { column'],
      [{ row_count: {} }, '"min", "max" or both'],
      [{ row_count: { min: 5, max: 1 } }, 'greater than "max"'],
      [{ unique: { column: 'a', columns: ['b'] } }, 'exactly one of "column" or "columns"'],
      [{ not_null: { column: ['a', 'b'], name: 'both' } }, 'one check per column'],
      [{ expression: { sql: 'x > 0', severity: 'fatal' } }, 'expected one of error, warn'],
      ['not_null', 'one-key mapping'],
    ];
    for (const [item, expected] of cases) {
      const { checks, issues } = parseChecks([item], ['checks']);
      expect(checks).toEqual([]);
      expect(issues.map((issue) => issue.message).join('\n')).toContain(expected);
    }
  });

  test('a value that is not a list is rejected', () => {
    expect(parseChecks({ not_null: 'id' }, ['checks']).issues[0]?.message).toContain('expected a list of checks');
  });
});
