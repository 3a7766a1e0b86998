import { describe, expect, it } from 'vitest';
import { partitionKey, partitionKeys, partitionWindow, timePartitioningProblem } from './partition-keys.js';
import type { StaticPartitioning, TimePartitioning } from './partition-spec.js';

const now = new Date('2026-04-01T12:00:00Z');
const daily: TimePartitioning = { kind: 'time', column: 'order_date', granularity: 'day', start: '2026-01-01', timezone: 'UTC' };
const regions: StaticPartitioning = { kind: 'values', column: 'region', values: ['eu', 'us', 'apac'] };

describe('partition keys', () => {
  it('lists the complete days from start to now, or a range of them', () => {
    const all = partitionKeys(daily, { now });
    expect(all).toHaveLength(31 + 28 + 31);
    expect(all[0]).toBe('2026-01-01');
    expect(all.at(-1)).toBe('2026-03-31');
    expect(partitionKeys(daily, { from: '2026-02-27', to: '2026-03-02', now })).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    // An explicit end leaves out the partition that ends after it.
    expect(partitionKeys({ ...daily, end: '2026-01-03' }, { now })).toEqual(['2026-01-01', '2026-01-02']);
  });

  it('lists months, and a day inside a month names that month', () => {
    const monthly: TimePartitioning = { ...daily, granularity: 'month' };
    expect(partitionKeys(monthly, { now })).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(partitionKey(monthly, '2026-02-15', now)).toBe('2026-02');
    const window = partitionWindow(monthly, '2026-02');
    expect(window).toMatchObject({ localStart: '2026-02-01 00:00:00', localEnd: '2026-03-01 00:00:00' });
  });

  it('cuts days at local midnight in the declared time zone', () => {
    const paris: TimePartitioning = { ...daily, timezone: 'Europe/Paris' };
    const window = partitionWindow(paris, '2026-03-01');
    expect(window).toMatchObject({ localStart: '2026-03-01 00:00:00', localEnd: '2026-03-02 00:00:00', startInstant: '2026-02-28T23:00:00.000Z', endInstant: '2026-03-01T23:00:00.000Z' });
  });

  it('has 23 and 25 hourly partitions on the daylight-saving days, each hour once', () => {
    const hourly: TimePartitioning = { kind: 'time', column: 'ts', granularity: 'hour', start: '2026-03-01', timezone: 'Europe/Paris' };
    const spring = partitionKeys(hourly, { from: '2026-03-29T00:00', to: '2026-03-29T23:00', now });
    expect(spring).toHaveLength(23);
    expect(spring).not.toContain('2026-03-29T02:00+01:00');
    const fall = partitionKeys({ ...hourly, start: '2026-10-01' }, { from: '2026-10-25T00:00', to: '2026-10-25T23:00', now: new Date('2026-11-01T00:00:00Z') });
    expect(fall).toHaveLength(25);
    expect(fall).toContain('2026-10-25T02:00+02:00');
    expect(fall).toContain('2026-10-25T02:00+01:00');
    const windows = fall.map((key) => partitionWindow({ ...hourly, start: '2026-10-01' }, key)).map((window) => (window.kind === 'time' ? window : undefined));
    for (let i = 1; i < windows.length; i++) expect(windows[i]?.startInstant).toBe(windows[i - 1]?.endInstant);
    expect(partitionKey({ kind: 'time', column: 'ts', granularity: 'hour', start: '2026-01-01', timezone: 'UTC' }, '2026-03-01 13:45', now)).toBe('2026-03-01T13:00Z');
  });

  it('lists static values and refuses others', () => {
    expect(partitionKeys(regions)).toEqual(['eu', 'us', 'apac']);
    expect(partitionKey(regions, 'us')).toBe('us');
    expect(() => partitionKey(regions, 'mars')).toThrow(/"mars" is not a partition of region \(its values: eu, us, apac\)/);
  });

  it('refuses keys that are not dates or lie outside the range', () => {
    expect(() => partitionKey(daily, 'yesterday', now)).toThrow(/"yesterday" is not a day of order_date/);
    expect(() => partitionKey(daily, '2025-12-31', now)).toThrow(/outside order_date's partitions/);
    expect(() => partitionKey(daily, '2026-04-01', now)).toThrow(/outside/);
    expect(() => partitionWindow(daily, '2026-3-1')).toThrow(/not a day/);
  });

  it('explains a bad declaration', () => {
    expect(timePartitioningProblem({ ...daily, timezone: 'Mars/Olympus' })?.field).toBe('timezone');
    expect(timePartitioningProblem({ ...daily, start: '2026-13-01' })?.message).toMatch(/"2026-13-01" is not a date/);
    expect(timePartitioningProblem({ ...daily, end: '2025-01-01' })?.message).toMatch(/not after start/);
    expect(timePartitioningProblem(daily)).toBeUndefined();
  });
});
