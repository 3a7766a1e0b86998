import { beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeOnEachEngine, PLANTED_ORDERS_ROWS, PLANTED_ORDERS_SQL, type ProfilingEngine } from '../testing/profiling-engines.js';
import { oracleFor } from '../testing/suggestion-oracle.js';
import { profileRelation, type ProfileOptions, type ProfileTarget } from './profile-relation.js';
import { renderChecksFile, suggestedCheckItem } from './render-suggested-checks.js';
import { suggestChecks, type CheckSuggestions, type SuggestedCheck } from './suggest-checks.js';

const NOW = new Date('2026-11-21T12:00:00Z');

async function suggest(current: ProfilingEngine, table: string, options: ProfileOptions = {}, now = NOW): Promise<CheckSuggestions & { target: ProfileTarget }> {
  const ref = { schema: 'suggesting', name: table };
  const columns = await current.engine.describe(ref);
  if (!columns) throw new Error(`no table ${table}`);
  const target: ProfileTarget = {
    session: current.session,
    kind: current.kind,
    quoteIdentifier: (name) => current.engine.quoteIdentifier(name),
    relation: current.engine.quoteRelation(ref),
    columns,
  };
  const profile = await profileRelation(target, options);
  return { ...(await suggestChecks(target, profile, { now })), target };
}

/** Every suggestion, as the written file states it, judged by SQL of the test's own. */
async function expectAllPass(current: ProfilingEngine, suggestions: CheckSuggestions & { target: ProfileTarget }, now = NOW): Promise<void> {
  const file = parse(renderChecksFile(suggestions, { asset: 'x', version: null, date: now })) as { checks: Array<Record<string, unknown>> };
  expect(file.checks.length).toBe(suggestions.checks.length);
  for (const item of file.checks) {
    const oracle = oracleFor(item, current.kind, suggestions.target.relation, now);
    const [row] = await current.session.query(oracle.sql);
    expect({ item, verdict: oracle.judge(row ?? {}) }).toMatchObject({ verdict: { passed: true } });
  }
}

function find(checks: SuggestedCheck[], type: SuggestedCheck['type'], column: string): SuggestedCheck | undefined {
  return checks.find((check) => check.type === type && ('column' in check ? check.column === column : 'columns' in check && check.columns.includes(column)));
}

await describeOnEachEngine('suggestChecks', (current) => {
  beforeAll(async () => {
    const { engine, session } = current();
    await engine.createSchema('suggesting');
    await session.execute(`CREATE TABLE suggesting.orders AS ${PLANTED_ORDERS_SQL}`);
    await session.execute(`CREATE TABLE suggesting.events AS SELECT i AS event_id,
      CASE WHEN i % 500 = 0 THEN 'n/a' ELSE CAST(DATE '2026-01-01' + CAST(i % 300 AS INTEGER) AS VARCHAR) END AS day_text,
      TIMESTAMP '2026-11-21 07:00:00' - CAST(i AS INTEGER) * INTERVAL '1 minute' AS happened_at,
      CASE WHEN i % 2 = 0 THEN NULL ELSE i END AS half_null
      FROM generate_series(1, 2000) AS g(i)`);
    await session.execute(`CREATE TABLE suggesting.nothing AS SELECT * FROM suggesting.orders WHERE order_id < 0`);
  });

  it('suggests checks that pass on the data they came from', async () => {
    const suggestions = await suggest(current(), 'orders');
    await expectAllPass(current(), suggestions);
    const { checks } = suggestions;
    expect(checks[0]).toMatchObject({ type: 'row_count', min: 1, reason: `${PLANTED_ORDERS_ROWS.toLocaleString('en-US')} rows today; an empty build is never right, so row_count min 1` });
    const notNull = find(checks, 'not_null', 'order_id');
    expect(notNull?.reason).toBe('0 nulls in 5,000 rows in each of these columns, so not_null');
    expect(notNull && 'columns' in notNull ? notNull.columns : []).not.toContain('email');
    expect(find(checks, 'unique', 'order_id')).toMatchObject({ exceptions: 0, reason: '5,000 distinct values in 5,000 non-null rows (counted exactly), so unique' });
    expect(find(checks, 'unique', 'tracking_id')).toMatchObject({ exceptions: 0 });
    expect(find(checks, 'between', 'order_id')).toBeUndefined();
    expect(find(checks, 'between', 'quantity')).toMatchObject({ min: 0, max: 10, exceptions: 0 });
    expect(find(checks, 'between', 'score')).toMatchObject({ min: 0, max: 2000 });
    expect(find(checks, 'regex', 'tracking_id')).toMatchObject({ exceptions: 0, pattern: expect.stringContaining('[0-9a-fA-F]{8}') });
    expect(find(checks, 'parseable', 'ship_date_text')).toMatchObject({ as: 'date', format: '%Y-%m-%d', exceptions: 0 });
    expect(find(checks, 'parseable', 'invoice_date_text')).toMatchObject({ as: 'date', format: '%d/%m/%Y' });
    expect(find(checks, 'length', 'code')).toMatchObject({ min: 4, max: 4 });
    expect(find(checks, 'null_proportion', 'note')).toMatchObject({ max: 0.2, exceptions: 500 });
    expect(find(checks, 'accepted_values', 'note')).toBeUndefined();
    // Dates of 2024 judged on 2026-11-21: historical data, no freshness check, and a note saying why.
    expect(checks.some((check) => check.type === 'freshness')).toBe(false);
    expect(suggestions.notes.join('\n')).toMatch(/no freshness check: the newest ordered_on \(2024-12-30\) is [\d,]+ days old/);
  });

  it('catches each planted problem: a rule the rest of the data keeps, with mostly and as a warning', async () => {
    const { checks } = await suggest(current(), 'orders');
    // 20 null emails: the null share is bounded, and the rows counted.
    expect(find(checks, 'null_proportion', 'email')).toMatchObject({ max: 0.01, exceptions: 20, reason: expect.stringContaining('20 nulls in 5,000 rows (0.40%): a few rows') });
    // 20 emails without "@".
    expect(find(checks, 'regex', 'email')).toMatchObject({ mostly: 0.99, severity: 'warn', exceptions: 20 });
    // 5 orders on_hold: left out of the list.
    expect(find(checks, 'accepted_values', 'status')).toMatchObject({
      values: ['delivered', 'placed', 'shipped'],
      mostly: 0.99,
      severity: 'warn',
      exceptions: 5,
      reason: expect.stringContaining('"on_hold" (5 rows) is rare'),
    });
    // 5 negative amounts.
    expect(find(checks, 'between', 'amount')).toMatchObject({ min: 0, max: 200, mostly: 0.99, severity: 'warn', exceptions: 5, reason: expect.stringContaining('5 of them negative') });
    // 3 invoice numbers given twice: 6 rows.
    expect(find(checks, 'unique', 'invoice_no')).toMatchObject({ mostly: 0.99, severity: 'warn', exceptions: 6, reason: expect.stringContaining('unique except 3 values repeated in 6 of 5,000 rows') });
    // Strict checks have no exceptions; tolerant ones are always warnings.
    for (const check of checks) expect(check.mostly === undefined ? check.exceptions === 0 || check.type === 'null_proportion' : check.severity === 'warn').toBe(true);
  });

  it('suggests checks that pass when profiled from a small sample of the table', async () => {
    const suggestions = await suggest(current(), 'orders', { sampleSize: 300 });
    await expectAllPass(current(), suggestions);
    expect(find(suggestions.checks, 'accepted_values', 'status')).toMatchObject({ values: ['delivered', 'placed', 'shipped'], exceptions: 5 });
    expect(find(suggestions.checks, 'unique', 'invoice_no')).toMatchObject({ exceptions: 6 });
  });

  it('confirms sampled patterns on the whole table, and suggests freshness for recent data', async () => {
    const suggestions = await suggest(current(), 'events');
    await expectAllPass(current(), suggestions);
    // 'n/a' in 4 of 2,000 rows: the date check stays, tolerant.
    expect(find(suggestions.checks, 'parseable', 'day_text')).toMatchObject({ as: 'date', format: '%Y-%m-%d', mostly: 0.99, severity: 'warn', exceptions: 4 });
    expect(find(suggestions.checks, 'freshness', 'happened_at')).toMatchObject({ maxAge: '36h', reason: expect.stringContaining('is 5 hours old') });
    // Half the rows null: a bound of 1 says nothing.
    expect(find(suggestions.checks, 'null_proportion', 'half_null')).toBeUndefined();
    expect(suggestions.notes.join('\n')).toContain('half_null: 1,000 nulls in 2,000 rows (50.0%)');
  });

  it('suggests nothing for an empty table, and says so', async () => {
    const suggestions = await suggest(current(), 'nothing');
    expect(suggestions.checks).toEqual([]);
    expect(suggestions.notes).toEqual(['the relation is empty: there is no data to suggest checks from']);
  });
});

it('writes a checks file a person can read: reasons above items, flow-style arguments, notes at the end', () => {
  const checks: SuggestedCheck[] = [
    { type: 'not_null', columns: ['order_id', 'status'], exceptions: 0, reason: '0 nulls in 1,200 rows in each of these columns, so not_null' },
    { type: 'unique', columns: ['order_id'], exceptions: 0, reason: 'unique' },
    { type: 'regex', column: 'email', pattern: '^[^@\\s]+@[^@\\s]+[.][^@\\s]+$', mostly: 0.99, severity: 'warn', exceptions: 3, reason: 'emails' },
    { type: 'accepted_values', column: 'flag', values: ['true', 'no', '1'], exceptions: 0, reason: 'values' },
  ];
  const text = renderChecksFile({ checks, notes: ['no freshness check'] }, { asset: 'orders', version: 'ab12', date: new Date('2026-11-21T10:00:00Z') });
  expect(text).toBe(`# Suggested by \`weir checks suggest orders\` on 2026-11-21 from version ab12: review, edit, commit.

asset: orders
checks:
  # 0 nulls in 1,200 rows in each of these columns, so not_null
  - not_null: [ order_id, status ]
  # unique
  - unique: order_id
  # emails
  - regex: { column: email, pattern: '^[^@\\s]+@[^@\\s]+[.][^@\\s]+$', mostly: 0.99, severity: warn }
  # values
  - accepted_values: { column: flag, values: [ "true", no, "1" ] }

# Not suggested:
# - no freshness check
`);
  // Values that YAML would read as booleans or numbers stay text.
  expect((parse(text) as { checks: unknown[] }).checks).toEqual(checks.map(suggestedCheckItem));
});
