import { describe, expect, it } from 'vitest';
import { checkNamesInFile, withoutDeclaredChecks } from './declared-checks.js';
import type { SuggestedCheck } from './suggest-checks.js';

const suggested: SuggestedCheck[] = [
  { type: 'row_count', min: 1, exceptions: 0, reason: 'rows' },
  { type: 'not_null', columns: ['id', 'email', 'status'], exceptions: 0, reason: 'nulls' },
  { type: 'unique', columns: ['id'], exceptions: 0, reason: 'keys' },
  { type: 'accepted_values', column: 'status', values: ['a', 'b'], exceptions: 0, reason: 'values' },
  { type: 'between', column: 'amount', min: 0, max: 10, exceptions: 0, reason: 'range' },
];

describe('withoutDeclaredChecks', () => {
  it('leaves out what the asset declares, by type and columns or by name, and says so', () => {
    const result = withoutDeclaredChecks({ checks: suggested, notes: ['old note'] }, [
      { name: 'row_count', type: 'row_count', columns: [] },
      { name: 'not_null_id', type: 'not_null', columns: ['id'] },
      { name: 'keys_are_unique', type: 'unique', columns: ['id'] },
      // Another type under the name a suggestion would get: still a clash the loader refuses.
      { name: 'between_amount', type: 'expression', columns: [] },
    ]);
    expect(result.checks.map((check) => check.type)).toEqual(['not_null', 'accepted_values']);
    expect(result.checks[0]).toMatchObject({ columns: ['email', 'status'] });
    expect(result.notes).toEqual(['already declared for this asset, so not repeated: row_count; not_null on id; unique on id; between on amount', 'old note']);
  });

  it('keeps everything when nothing is declared', () => {
    expect(withoutDeclaredChecks({ checks: suggested, notes: [] }, [])).toEqual({ checks: suggested, notes: [] });
  });
});

describe('checkNamesInFile', () => {
  it('names the checks of a checks file as the loader would', () => {
    const text = `asset: orders
checks:
  - row_count: { min: 1 }
  - not_null: [id, email]
  - unique: { columns: [a, b], mostly: 0.99 }
  - between: { column: amount, min: 0, name: amount_in_range }
  - null_proportion: { column: email, max: 0.01 }
`;
    expect([...checkNamesInFile(text)]).toEqual(['row_count', 'not_null_id', 'not_null_email', 'unique_a_b', 'amount_in_range', 'null_proportion_email']);
    expect(checkNamesInFile('')).toEqual(new Set());
  });
});
