import { describe, expect, it } from 'vitest';
import { buildControlChart, monitorSpcConfig, type SpcSeriesView } from '@weir/core';
import { seriesOf } from '../commands/spc-command.js';
import { formatSpcChart, formatSpcNumber } from './format-spc-chart.js';

const dayAt = (n: number): string => new Date(Date.UTC(2024, 0, n, 6)).toISOString();

function view(values: number[], rebaselines: string[] = []): SpcSeriesView {
  const chart = buildControlChart({
    metric: 'row_count',
    points: values.map((value, index) => ({ at: dayAt(index + 1), value, runId: `r-${index + 1}` })),
    rebaselines,
    config: monitorSpcConfig('volume'),
  });
  return { asset: 'orders', metric: 'row_count', check: { type: 'spc', name: 'spc_row_count', metric: 'row_count', severity: 'error' }, watchedBy: 'check', rebaselines, chart };
}

const stable = Array.from({ length: 24 }, (_, i) => 1000 + ((i * 7) % 5) * 4);

describe('formatSpcChart', () => {
  it('shows an out-of-control chart: status, limits, frozen baseline, the last 20 points, the violation', () => {
    const text = formatSpcChart(view([...stable, 600]));
    expect(text).toMatch(/^orders {2}row_count {2}OUT OF CONTROL: the newest point breaks a rule\n/);
    expect(text).toContain('judged by: spc check spc_row_count (error: a point out of control holds the build back)');
    expect(text).toMatch(/limits: {4}centre [\d,.]+, lower [\d,.]+, upper [\d,.]+ {2}\(σ̂ [\d.]+\)/);
    expect(text).toContain('baseline:  20 points, 2024-01-01 06:00:00 to 2024-01-20 06:00:00; frozen');
    expect(text).toContain('settings:  rules 1, 2, 3, 4; floors 0 absolute, 10% of the centre; both directions');
    expect(text).toContain('Last 20 of 25 points');
    expect(text).toMatch(/2024-01-25 06:00:00 +600 +-\d+\.\dσ +beyond +frozen +ANOMALOUS: rule 1\n/);
    expect(text).toMatch(/Violations \(1\)\n {2}2024-01-25 06:00:00 {2}rule 1: row_count = 600 is below the lower control limit/);
  });

  it('marks the first point after a rebaseline and counts the points since', () => {
    const text = formatSpcChart(view([...stable.slice(0, 10), 2000, 2010], [new Date(Date.UTC(2024, 0, 11)).toISOString()]));
    expect(text).toContain('learning: 2 of the 8 points needed before judging');
    expect(text).toContain('rebaselined 2024-01-11 00:00:00: 2 point(s) since');
    expect(text).toMatch(/2,000 +- +- +learning +new baseline\n/);
    expect(text).toContain('limits:    none yet');
  });
});

describe('formatSpcNumber', () => {
  it('writes counts with separators and fractions with four significant digits', () => {
    expect(formatSpcNumber(120512)).toBe('120,512');
    expect(formatSpcNumber(0.0201347)).toBe('0.02013');
    expect(formatSpcNumber(1.25)).toBe('1.25');
    expect(formatSpcNumber(2001.347)).toBe('2,001.3');
  });
});

describe('seriesOf', () => {
  it('reads the column from --column or from the metric argument', () => {
    expect(seriesOf('orders', 'row_count', undefined)).toEqual({ asset: 'orders', metric: 'row_count' });
    expect(seriesOf('orders', 'null_rate.email', undefined)).toEqual({ asset: 'orders', metric: 'null_rate', column: 'email' });
    expect(seriesOf('orders', 'null_rate:email', undefined)).toEqual({ asset: 'orders', metric: 'null_rate', column: 'email' });
    expect(seriesOf('orders', 'null_rate', 'email')).toEqual({ asset: 'orders', metric: 'null_rate', column: 'email' });
    expect(() => seriesOf('orders', 'null_rate.email', 'id')).toThrow(/given twice/);
  });
});
