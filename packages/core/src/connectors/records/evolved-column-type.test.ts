/** The type a loaded column takes when its source column's type changes: never one that loses values. */
import { expect, it } from 'vitest';
import { evolvedColumnType } from './evolved-column-type.js';

it('widens to hold both the loaded and the new values, and keeps a column the new values fit', () => {
  expect(evolvedColumnType('INTEGER', 'BIGINT')).toBe('BIGINT');
  expect(evolvedColumnType('BIGINT', 'INTEGER')).toBe('BIGINT');
  expect(evolvedColumnType('DOUBLE', 'INTEGER')).toBe('DOUBLE');
  expect(evolvedColumnType('INTEGER', 'DOUBLE')).toBe('DOUBLE');
  expect(evolvedColumnType('DATE', 'TIMESTAMP')).toBe('TIMESTAMP');
  expect(evolvedColumnType('TIMESTAMP', 'DATE')).toBe('TIMESTAMP');
  expect(evolvedColumnType('BIGINT', 'VARCHAR')).toBe('VARCHAR');
  expect(evolvedColumnType('VARCHAR', 'BIGINT')).toBe('VARCHAR');
  expect(evolvedColumnType('BOOLEAN', 'INTEGER')).toBe('VARCHAR');
  expect(evolvedColumnType('DECIMAL(10,2)', 'DECIMAL(12,4)')).toBe('DECIMAL(12,4)');
  expect(evolvedColumnType('DECIMAL(10,2)', 'DECIMAL(12,6)')).toBe('DECIMAL(14,6)');
  expect(evolvedColumnType('DECIMAL(38,0)', 'DECIMAL(10,5)')).toBe('DOUBLE');
  expect(evolvedColumnType('UUID', 'INTEGER')).toBe('VARCHAR');
});
