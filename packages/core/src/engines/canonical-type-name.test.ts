import { describe, expect, it } from 'vitest';
import { canonicalTypeName, sameType } from './canonical-type-name.js';

describe('canonicalTypeName', () => {
  it.each([
    ['timestamptz', 'TIMESTAMP WITH TIME ZONE'],
    ['TIMESTAMP  WITH TIME ZONE', 'TIMESTAMP WITH TIME ZONE'],
    ['timestamp without time zone', 'TIMESTAMP'],
    ['int4', 'INTEGER'],
    ['INT8', 'BIGINT'],
    ['numeric(12, 2)', 'DECIMAL(12,2)'],
    ['DECIMAL(12,2)', 'DECIMAL(12,2)'],
    ['character varying(20)', 'VARCHAR'],
    ['text[]', 'VARCHAR[]'],
    ['double precision', 'DOUBLE'],
    ['bytea', 'BLOB'],
    ['UUID', 'UUID'],
  ])('%s is %s', (input, canonical) => {
    expect(canonicalTypeName(input)).toBe(canonical);
  });

  it('keeps apart types that hold different values', () => {
    expect(sameType('TIMESTAMPTZ', 'TIMESTAMP WITH TIME ZONE')).toBe(true);
    expect(sameType('TIMESTAMPTZ', 'TIMESTAMP')).toBe(false);
    expect(sameType('INTEGER', 'BIGINT')).toBe(false);
    expect(sameType('DECIMAL(12,2)', 'DECIMAL(18,2)')).toBe(false);
    expect(sameType('VARCHAR', 'VARCHAR[]')).toBe(false);
  });
});
