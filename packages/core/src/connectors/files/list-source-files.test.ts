import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globToRegExp, listSourceFiles } from './list-source-files.js';

describe('globToRegExp', () => {
  it('matches single and double stars, alternatives and classes', () => {
    expect(globToRegExp('*.csv').test('a.csv')).toBe(true);
    expect(globToRegExp('*.csv').test('x/a.csv')).toBe(false);
    expect(globToRegExp('**/*.csv').test('a.csv')).toBe(true);
    expect(globToRegExp('**/*.csv').test('year=2024/month=01/a.csv')).toBe(true);
    expect(globToRegExp('*.{csv,tsv}').test('a.tsv')).toBe(true);
    expect(globToRegExp('*.{csv,tsv}').test('a.json')).toBe(false);
    expect(globToRegExp('part-[0-9].csv').test('part-7.csv')).toBe(true);
    expect(globToRegExp('a.csv').test('abcsv')).toBe(false);
  });
});

describe('listSourceFiles', () => {
  it('lists matching files sorted with their size, and literal paths as given', () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-files-'));
    mkdirSync(join(root, 'orders', 'day=2'), { recursive: true });
    writeFileSync(join(root, 'orders', 'b.csv'), 'x\n2\n');
    writeFileSync(join(root, 'orders', 'a.csv'), 'x\n1\n');
    writeFileSync(join(root, 'orders', 'day=2', 'c.csv'), 'x\n33\n');
    writeFileSync(join(root, 'orders', 'notes.txt'), 'no');
    const flat = listSourceFiles([join(root, 'orders', '*.csv')]);
    expect(flat.map((file) => file.path)).toEqual([join(root, 'orders', 'a.csv'), join(root, 'orders', 'b.csv')]);
    expect(flat[0]?.size).toBe(4);
    const deep = listSourceFiles([join(root, 'orders', '**/*.csv')]);
    expect(deep).toHaveLength(3);
    expect(listSourceFiles([join(root, 'orders', 'missing.csv')])).toEqual([]);
  });
});
