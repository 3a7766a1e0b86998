/**
 * Physical names must be unique per asset (two assets with a long common prefix once shared their
 * staging table and, with equal SQL, their versions), fit PostgreSQL's 63-byte identifiers, and
 * stay exactly as they were for ordinary names, which existing warehouses already use.
 */
import { describe, expect, it } from 'vitest';
import { physicalRelation, stagingRelation } from './physical-names.js';

const POSTGRES_MAX_IDENTIFIER_BYTES = 63;
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

const longPrefix = 'customer_lifetime_value_by_acquisition_channel_';
const longA = `${longPrefix}and_month`;
const longB = `${longPrefix}and_week`;
const version = '3f2a9c0d11aa';
const runId = 'r-20261121-120000-ab12';

describe('physicalRelation', () => {
  it('keeps the names of assets up to 44 bytes exactly as before', () => {
    expect(physicalRelation('orders', version)).toEqual({ schema: 'weir_versions', name: `orders__${version}` });
    const limit = 'a'.repeat(44);
    expect(physicalRelation(limit, version).name).toBe(`${limit}__${version}`);
  });

  it('gives two long assets with a common prefix different names, within 63 bytes', () => {
    const a = physicalRelation(longA, version).name;
    const b = physicalRelation(longB, version).name;
    expect(a).not.toBe(b);
    expect(a.endsWith(`__${version}`)).toBe(true);
    expect(a.startsWith(longPrefix.slice(0, 30))).toBe(true);
    expect(bytes(a)).toBeLessThanOrEqual(POSTGRES_MAX_IDENTIFIER_BYTES);
    expect(bytes(b)).toBeLessThanOrEqual(POSTGRES_MAX_IDENTIFIER_BYTES);
    // Deterministic: the same asset always finds its versions again.
    expect(physicalRelation(longA, version).name).toBe(a);
  });

  it('measures multi-byte names in bytes and never splits a character', () => {
    const wide = 'ü'.repeat(40); // 40 characters, 80 bytes
    const other = `${'ü'.repeat(39)}ö`;
    const a = physicalRelation(wide, version).name;
    const b = physicalRelation(other, version).name;
    expect(a).not.toBe(b);
    for (const name of [a, b]) {
      expect(bytes(name)).toBeLessThanOrEqual(POSTGRES_MAX_IDENTIFIER_BYTES);
      expect(name).not.toContain('\uFFFD');
      expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
    }
    const emoji = physicalRelation('📦'.repeat(30), version).name;
    expect(bytes(emoji)).toBeLessThanOrEqual(POSTGRES_MAX_IDENTIFIER_BYTES);
    expect(emoji.startsWith('📦'.repeat(9))).toBe(true);
  });
});

describe('stagingRelation', () => {
  it('keeps ordinary names exactly as before', () => {
    expect(stagingRelation('orders', runId)).toEqual({ schema: 'weir_staging', name: 'orders__000-ab12' });
  });

  it('gives two long assets of one run different staging tables, within 63 bytes', () => {
    const a = stagingRelation(longA, runId).name;
    const b = stagingRelation(longB, runId).name;
    expect(a).not.toBe(b);
    expect(bytes(a)).toBeLessThanOrEqual(POSTGRES_MAX_IDENTIFIER_BYTES);
    expect(bytes(stagingRelation('ü'.repeat(60), runId).name)).toBeLessThanOrEqual(POSTGRES_MAX_IDENTIFIER_BYTES);
  });
});
