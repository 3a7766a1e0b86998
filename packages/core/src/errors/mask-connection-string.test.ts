import { describe, expect, it } from 'vitest';
import { maskConnectionString, secretMasker } from './mask-connection-string.js';

describe('maskConnectionString', () => {
  it('masks the password of a URL and keeps the rest', () => {
    expect(maskConnectionString('postgres://weir:s3cret@db:5432/state')).toBe('postgres://weir:***@db:5432/state');
    expect(maskConnectionString('postgresql://:s3cret@db/state')).toBe('postgresql://:***@db/state');
    expect(maskConnectionString('failed: postgres://a:b@h/d and postgres://c:d@h/e')).toBe('failed: postgres://a:***@h/d and postgres://c:***@h/e');
  });

  it('masks a password containing @, and keyword passwords', () => {
    expect(maskConnectionString('postgres://weir:p@ss@db/state')).toBe('postgres://weir:***@db/state');
    expect(maskConnectionString("host=db password=s3cret user=weir")).toBe('host=db password=*** user=weir');
    expect(maskConnectionString("host=db password='s3 cret' user=weir")).toBe('host=db password=*** user=weir');
  });

  it('leaves a URL without a password alone', () => {
    expect(maskConnectionString('postgres://weir@db:5432/state')).toBe('postgres://weir@db:5432/state');
    expect(maskConnectionString('postgres://db:5432/state')).toBe('postgres://db:5432/state');
  });
});

describe('secretMasker', () => {
  it('masks the password wherever it appears, raw or decoded', () => {
    const mask = secretMasker('postgres://weir:s%40cret@db/state');
    expect(mask('password authentication failed near s@cret and s%40cret')).toBe('password authentication failed near *** and ***');
    expect(mask('postgres://weir:s%40cret@db/state')).toBe('postgres://weir:***@db/state');
  });

  it('masks keyword passwords', () => {
    expect(secretMasker("host=db password='a b c'")('bad password a b c')).toBe('bad password ***');
  });

  it('changes nothing when there is no password', () => {
    expect(secretMasker('postgres://weir@db/state')('could not connect to weir@db')).toBe('could not connect to weir@db');
  });
});
