/** Staleness: by the strictest freshness expectation, and by newer upstream data. */
import { describe, expect, it } from 'vitest';
import type { CheckSpec } from '../definitions/check-spec.js';
import type { SensorSpec } from '../project/trigger-specs.js';
import { assetStaleness } from './asset-staleness.js';
import { freshnessExpectation } from './freshness-expectation.js';

const now = new Date('2025-03-10T12:00:00.000Z');
const freshness = (name: string, seconds: { maxAgeSeconds?: number; expectedEverySeconds?: number }): CheckSpec =>
  ({ type: 'freshness', name, severity: 'error', ...seconds }) as CheckSpec;
const sensor = (name: string, asset: string, maxAgeSeconds: number): SensorSpec =>
  ({ type: 'freshness', name, asset, maxAgeSeconds, selection: { select: [asset], exclude: [] }, intervalSeconds: 60 }) as unknown as SensorSpec;

describe('freshnessExpectation', () => {
  it('takes the strictest of freshness checks (max_age, expected_every) and freshness sensors on the asset', () => {
    const checks = [freshness('daily', { maxAgeSeconds: 86_400 }), freshness('hourly_feed', { expectedEverySeconds: 7200 }), { type: 'not_null', name: 'nn', severity: 'error', column: 'id' } as unknown as CheckSpec];
    expect(freshnessExpectation({ name: 'orders', checks }, undefined)).toEqual({ maxAgeSeconds: 7200, source: 'freshness check "hourly_feed"' });
    expect(freshnessExpectation({ name: 'orders', checks }, [sensor('keep_fresh', 'orders', 3600), sensor('other', 'revenue', 60)])).toEqual({ maxAgeSeconds: 3600, source: 'sensor "keep_fresh"' });
    expect(freshnessExpectation({ name: 'calendar', checks: [] }, [sensor('other', 'revenue', 60)])).toBeUndefined();
  });
});

describe('assetStaleness', () => {
  const expectation = { maxAgeSeconds: 86_400, source: 'sensor "daily"' };

  it('is stale once the live version is older than the expectation, not before', () => {
    expect(assetStaleness({ builtAt: '2025-03-08T06:00:00.000Z', expectation, upstream: [], now })).toBe('built 2d 6h ago, older than the 1d sensor "daily" allows');
    expect(assetStaleness({ builtAt: '2025-03-09T12:00:00.000Z', expectation, upstream: [], now })).toBeNull();
    expect(assetStaleness({ builtAt: '2025-03-01T00:00:00.000Z', expectation: undefined, upstream: [], now })).toBeNull();
  });

  it('is stale when an upstream was built after it, naming the upstream', () => {
    const builtAt = '2025-03-10T10:00:00.000Z';
    expect(assetStaleness({ builtAt, expectation, upstream: [{ asset: 'raw_orders', builtAt: '2025-03-10T11:00:00.000Z' }, { asset: 'customers', builtAt: '2025-03-10T09:00:00.000Z' }], now })).toBe(
      '"raw_orders" has newer data than this version (not rebuilt since)',
    );
    expect(assetStaleness({ builtAt, expectation, upstream: [{ asset: 'a', builtAt: '2025-03-10T11:00:00.000Z' }, { asset: 'b', builtAt: '2025-03-10T11:30:00.000Z' }], now })).toBe('"a", "b" have newer data than this version (not rebuilt since)');
    expect(assetStaleness({ builtAt, expectation, upstream: [{ asset: 'a', builtAt: null }, { asset: 'b', builtAt }], now })).toBeNull();
  });

  it('is never stale with nothing live (that is never built)', () => {
    expect(assetStaleness({ builtAt: null, expectation, upstream: [{ asset: 'a', builtAt: '2025-03-10T11:00:00.000Z' }], now })).toBeNull();
  });
});
