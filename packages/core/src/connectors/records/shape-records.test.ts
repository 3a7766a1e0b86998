/**
 * Fitting JSON records to a table under each schema policy: what becomes a column, what widens,
 * what is refused, and that nothing is dropped without a dead letter.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../errors/weir-error.js';
import { columnName, flattenRecord } from './flatten-record.js';
import { typeOfValue, toColumnValue, widenType } from './record-values.js';
import { parsePayload, shapeRecords, type IncomingRecord } from './shape-records.js';

const records = (...payloads: string[]): IncomingRecord[] => payloads.map((payload, index) => parsePayload(`m${index + 1}`, payload));
const existing = [
  { name: 'id', type: 'BIGINT', nullable: true },
  { name: 'name', type: 'VARCHAR', nullable: true },
];

describe('record values', () => {
  it('gives each JSON value its narrowest type and widens only to types holding both', () => {
    expect([1, 1.5, true, 'x', '2026-02-28', '2026-02-28T10:00:00Z', '2026-02-30', [1], { a: 1 }, null].map(typeOfValue)).toEqual([
      'BIGINT',
      'DOUBLE',
      'BOOLEAN',
      'VARCHAR',
      'DATE',
      'TIMESTAMP',
      'VARCHAR',
      'JSON',
      'JSON',
      null,
    ]);
    expect(widenType('BIGINT', 'DOUBLE')).toBe('DOUBLE');
    expect(widenType('DATE', 'TIMESTAMP')).toBe('TIMESTAMP');
    expect(widenType('BOOLEAN', 'BIGINT')).toBe('VARCHAR');
    expect(widenType('JSON', 'BIGINT')).toBe('VARCHAR');
  });

  it('stores zoned timestamps as the UTC instant, keeping the fraction as written', () => {
    expect(toColumnValue('2026-11-21T12:00:00.123456+02:00', 'TIMESTAMP')).toBe('2026-11-21 10:00:00.123456');
    expect(toColumnValue('2026-11-21T00:30Z', 'TIMESTAMP')).toBe('2026-11-21 00:30:00');
    expect(toColumnValue('2026-11-21 08:00:00', 'TIMESTAMP')).toBe('2026-11-21 08:00:00');
    expect(toColumnValue({ a: [1] }, 'VARCHAR')).toBe('{"a":[1]}');
  });

  it('flattens nested objects into path columns with normalised names, and keeps arrays whole', () => {
    const flat = flattenRecord({ orderId: 1, Customer: { ID: 7, homeAddress: { city: 'Oslo', geo: { lat: 1 } } }, tags: ['a'], empty: {} });
    expect([...flat.keys()]).toEqual(['order_id', 'customer__id', 'customer__home_address__city', 'customer__home_address__geo', 'tags', 'empty']);
    expect(flat.get('customer__home_address__geo')).toEqual({ lat: 1 });
    expect(columnName('Unit Price (€)')).toBe('unit_price');
    expect(columnName('2nd')).toBe('_2nd');
  });
});

describe('shapeRecords', () => {
  it('defines the columns from the first batch, widened across its records', () => {
    const batch = shapeRecords(records('{"id": 1, "at": "2026-01-01"}', '{"id": 2.5, "at": "2026-01-02T03:04:05Z", "flag": true}'), undefined, 'freeze', 'events');
    expect(batch.columns.map((column) => [column.name, column.type])).toEqual([
      ['id', 'DOUBLE'],
      ['at', 'TIMESTAMP'],
      ['flag', 'BOOLEAN'],
    ]);
    expect(batch.rows.map((row) => row.row)).toEqual([
      { id: 1, at: '2026-01-01' },
      { id: 2.5, at: '2026-01-02 03:04:05', flag: true },
    ]);
    expect(batch.rejected).toEqual([]);
  });

  it('sets malformed payloads aside under every policy, and loads the rest', () => {
    for (const policy of ['evolve', 'freeze', 'discard_row', 'discard_value'] as const) {
      const batch = shapeRecords(records('{"id": 1}', '{"id": ', '[1, 2]', '7'), existing, policy, 'events');
      expect(batch.rows.map((row) => row.id)).toEqual(['m1']);
      expect(batch.rejected.map((record) => [record.id, record.disposition])).toEqual([
        ['m2', 'rejected'],
        ['m3', 'rejected'],
        ['m4', 'rejected'],
      ]);
      expect(batch.rejected[0]!.error).toMatch(/malformed JSON/);
      expect(batch.rejected[0]!.payload).toBe('{"id": ');
      expect(batch.rejected[1]!.error).toMatch(/array, not an object/);
    }
  });

  it('evolve: adds new fields as columns and widens a column a value outgrows', () => {
    const batch = shapeRecords(records('{"id": 1.5, "name": "a", "email": "a@x"}'), existing, 'evolve', 'events');
    expect(batch.added).toEqual([{ name: 'email', type: 'VARCHAR', nullable: true }]);
    expect(batch.widened).toEqual([{ name: 'id', from: 'BIGINT', to: 'DOUBLE' }]);
    expect(batch.columns.map((column) => `${column.name} ${column.type}`)).toEqual(['id DOUBLE', 'name VARCHAR', 'email VARCHAR']);
    expect(batch.rows[0]!.row).toEqual({ id: 1.5, name: 'a', email: 'a@x' });
  });

  it('evolve: a field that is only ever null adds no column', () => {
    const batch = shapeRecords(records('{"id": 1, "later": null}'), existing, 'evolve', 'events');
    expect(batch.added).toEqual([]);
    expect(batch.rows[0]!.row).toEqual({ id: 1 });
  });

  it('freeze: a new field or a wider value fails the batch, naming the field and the record', () => {
    const newField = () => shapeRecords(records('{"id": 1}', '{"id": 2, "email": "x"}'), existing, 'freeze', 'events');
    expect(newField).toThrow(WeirError);
    expect(newField).toThrow(/new field "email" \(VARCHAR\).*frozen.*record m2/);
    expect(() => shapeRecords(records('{"id": "seven"}'), existing, 'freeze', 'events')).toThrow(/"id" is VARCHAR \("seven"\) but the column is BIGINT/);
  });

  it('discard_row: sets a non-fitting record aside whole and loads the others', () => {
    const batch = shapeRecords(records('{"id": 1}', '{"id": "seven", "name": "b"}', '{"id": 3, "extra": 1}'), existing, 'discard_row', 'events');
    expect(batch.rows.map((row) => row.row)).toEqual([{ id: 1 }]);
    expect(batch.rejected.map((record) => [record.id, record.disposition])).toEqual([
      ['m2', 'rejected'],
      ['m3', 'rejected'],
    ]);
    expect(batch.rejected[1]!.error).toMatch(/new field "extra"/);
    expect(batch.columns).toEqual(existing);
  });

  it('discard_value: loads the record without the offending values, which become dead letters', () => {
    const batch = shapeRecords(records('{"id": "seven", "name": "b", "extra": 1}'), existing, 'discard_value', 'events');
    expect(batch.rows.map((row) => row.row)).toEqual([{ name: 'b' }]);
    expect(batch.rejected).toHaveLength(1);
    expect(batch.rejected[0]!.disposition).toBe('value_discarded');
    expect(batch.rejected[0]!.error).toMatch(/"id" is VARCHAR.*new field "extra"|new field "extra".*"id" is VARCHAR/);
    expect(batch.rejected[0]!.payload).toContain('"extra": 1');
  });
});
