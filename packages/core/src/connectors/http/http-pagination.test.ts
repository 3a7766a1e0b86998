/** The small parsers under HTTP reads: Link headers, dotted paths, Retry-After, backoff bounds. */
import { describe, expect, it } from 'vitest';
import { lookupPath, nextLink } from './http-pagination.js';
import { backoffDelay, parseRetryAfter } from './http-retry.js';

describe('HTTP parsing helpers', () => {
  it('finds rel="next" in a Link header, whatever its position, quoting or companions', () => {
    expect(nextLink('<https://a.test/o?page=2&x=1,2>; rel="next", <https://a.test/o?page=9>; rel="last"')).toBe('https://a.test/o?page=2&x=1,2');
    expect(nextLink('<https://a.test/o?page=1>; rel="first", </o?page=3>; title="n"; rel=next')).toBe('/o?page=3');
    expect(nextLink('<https://a.test/o?page=3>; rel="next last"')).toBe('https://a.test/o?page=3');
    expect(nextLink('<https://a.test/o?page=1>; rel="prev"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });

  it('follows dotted paths, also through lists, and says where a path runs out', () => {
    expect(lookupPath({ a: { b: [{ c: 1 }] } }, 'a.b.0.c')).toEqual({ found: true, value: 1 });
    expect(lookupPath({ a: { b: null } }, 'a.b')).toEqual({ found: true, value: null });
    expect(lookupPath({ a: { x: 1, y: 2 } }, 'a.b.c')).toEqual({ found: false, missing: 'b', parentPath: 'a', parentKeys: ['x', 'y'] });
    expect(lookupPath({ a: 'text' }, 'a.b')).toEqual({ found: false, missing: 'b', parentPath: 'a', parentKeys: undefined });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, never past the cap', () => {
    const policy = { attempts: 10, initialDelayMs: 100, maxDelayMs: 1000 };
    expect([backoffDelay(1, policy, () => 0), backoffDelay(1, policy, () => 0.999_999)]).toEqual([50, expect.closeTo(100, 3)]);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
    expect(backoffDelay(9, policy, () => 0.999_999)).toBeCloseTo(1000, 3);
  });
});
