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

  test('every check type of the library parses into its spec', () => {
    const { checks, issues } = parseChecks(
      [
        { not_accepted_values: { column: 'status', values: ['test'] } },
        { between: { column: 'amount', min: 0, max: 100, strict_max: true, mostly: 0.99 } },
        { regex: { column: 'email', pattern: '^[^@]+@[^@]+$', max_failures: 3 } },
        { not_regex: { column: 'name', pattern: '[0-9]', max_failures: '2%' } },
        { length: { column: 'code', min: 2, max: 3 } },
        { parseable: { column: 'raw', as: 'date', format: '%d/%m/%Y', on_fail: 'quarantine' } },
        { relationships: { column: 'customer_id', to: 'customers', field: 'id', where: "status <> 'test'" } },
        { row_count: { equal_to: 'orders' } },
        { row_count: { fewer_than: 'events' } },
        { freshness: { column: 'updated_at', max_age: '6h' } },
        { freshness: { expected_every: '1d', severity: 'warn' } },
        { distinct_count: { column: 'country', min: 2 } },
        { unique_proportion: { column: 'email', min: 0.99 } },
        { quantile: { column: 'amount', quantile: 0.95, max: 500 } },
        { null_proportion: { column: 'email', max: 0.05 } },
        { mean: { column: 'amount', min: 1, max: 5 } },
        { custom_sql: 'SELECT * FROM orders WHERE amount < 0' },
        { schema: { columns: { id: 'INTEGER' }, on_drift: 'allow_additive' } },
        { spc: 'row_count' },
        { spc: { metric: 'null_rate', column: 'email', rules: [1, 4], relative_floor: 0.1 } },
      ],
      ['checks'],
    );
    expect(issues).toEqual([]);
    expect(checks.map((check) => check.name)).toEqual([
      'not_accepted_values_status',
      'between_amount',
      'regex_email',
      'not_regex_name',
      'length_code',
      'parseable_raw',
      'relationships_customer_id_to_customers',
      'row_count_equal_to_orders',
      'row_count_fewer_than_events',
      'freshness_updated_at',
      'freshness',
      'distinct_count_country',
      'unique_proportion_email',
      'quantile_amount',
      'null_proportion_email',
      'mean_amount',
      'custom_sql_1',
      'schema',
      'spc_row_count',
      'spc_null_rate_email',
    ]);
    expect(checks[1]).toMatchObject({ type: 'between', min: 0, max: 100, strictMax: true });
    expect(checks[1]?.tolerance).toEqual({ fraction: expect.closeTo(0.01, 9) as number });
    expect(checks[2]?.tolerance).toEqual({ rows: 3 });
    expect(checks[3]?.tolerance).toEqual({ fraction: 0.02 });
    expect(checks[5]).toMatchObject({ as: 'date', format: '%d/%m/%Y', onFail: 'quarantine' });
    expect(checks[9]).toMatchObject({ maxAgeSeconds: 21_600 });
    expect(checks[10]).toMatchObject({ expectedEverySeconds: 86_400, severity: 'warn' });
    expect(checks[16]).toMatchObject({ sql: 'SELECT * FROM orders WHERE amount < 0', reads: [] });
    expect(checks[17]).toMatchObject({ columns: { id: 'INTEGER' }, onDrift: 'allow_additive' });
    expect(checks[19]).toMatchObject({ metric: 'null_rate', column: 'email', rules: [1, 4], relativeFloor: 0.1 });
  });

  test('bad thresholds, patterns and combinations are named', () => {
    const cases: Array<[unknown, string]> = [
      [{ between: { column: 'amount', min: 'zero' } }, 'expected a number, got a string'],
      [{ between: { column: 'amount' } }, '"min", "max" or both'],
      [{ between: { column: 'amount', max: 1, strict_min: true } }, '"strict_min" needs "min"'],
      [{ null_proportion: { column: 'email', max: 5 } }, 'between 0 and 1'],
      [{ not_null: { column: 'id', mostly: 1.5 } }, 'between 0 and 1'],
      [{ not_null: { column: 'id', mostly: 0.9, max_failures: 3 } }, 'not both'],
      [{ regex: { column: 'x', pattern: 'a', max_failures: 'lots' } }, 'percentage like "2%"'],
      [{ row_count: { min: 1, equal_to: 'orders' } }, 'one of them'],
      [{ freshness: { column: 'updated_at', max_age: 'soon' } }, 'expected a duration'],
      [{ freshness: { max_age: '1h' } }, '"max_age" needs "column"'],
      [{ parseable: { column: 'x', as: 'json', format: '%Y' } }, '"format" applies to'],
      [{ parseable: { column: 'x', as: 'uuid' } }, 'expected one of'],
      [{ unique: { column: 'id', on_fail: 'quarantine' } }, 'on_fail'],
      [{ schema: { columns: ['id'] } }, 'mapping of column name to SQL type'],
      [{ spc: { metric: 'row_count', rules: [5] } }, 'rule numbers 1 to 4'],
    ];
    for (const [item, expected] of cases) {
      const { checks, issues } = parseChecks([item], ['checks']);
      expect(checks, JSON.stringify(item)).toEqual([]);
      expect(issues.map((issue) => issue.message).join('\n'), JSON.stringify(item)).toContain(expected);
    }
  });
});
