/**
 * Conformance cases for `loadFiles`: every format, declared column types, globs, replacing, and
 * errors that name the file and the line. Fixtures are written to the run's scratch directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, expect, it } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import type { FileReadOptions, RelationRef } from '../engines/engine-adapter.js';
import { familiesOf, rejectionOf, rowsOf, type ConformanceContext } from './engine-conformance-support.js';

const FIXTURES: Record<string, string> = {
  'orders.csv': 'id,name,amount,ordered_at\n1,"Smith, Anna",12.5,2024-01-02 03:04:05\n2,Bob,7,2024-01-03 00:00:00\n3,,0.25,2024-01-04 12:00:00\n',
  'typed.csv': 'id;amount;day\n1;12.50;02/01/2024\n2;NA;03/01/2024\n',
  'part-1.csv': 'id,name\n1,a\n2,b\n',
  'part-2.csv': 'id,name\n3,c\n',
  'ragged.csv': 'id,name,amount\n1,a,1.5\n2,b,2.5,surprise\n3,c,3\n',
  'bad-value.csv': 'id,name,amount\n1,a,1.5\n2,b,abc\n3,c,3\n',
  'orders.ndjson': '{"id": 1, "name": "a", "tags": ["x", "y"]}\n{"id": 2, "name": "b", "tags": []}\n',
  'orders.json': '[{"id": 1, "name": "a"}, {"id": 2, "name": null}]',
};

/** Registers the file-loading cases on the current `describe`. */
export function fileCases(context: ConformanceContext): void {
  const path = (name: string): string => join(context.dir, name);
  let schema = '';
  const target = (name: string): RelationRef => ({ schema, name });
  const load = (name: string, options: Omit<FileReadOptions, 'paths'> & { paths?: string[] }): Promise<void> =>
    context.engine.loadFiles(target(name), { paths: [path(`${name}.${options.format}`)], ...options });

  beforeAll(async () => {
    for (const [name, text] of Object.entries(FIXTURES)) writeFileSync(path(name), text);
    await writeParquet(path('orders.parquet'));
    schema = await context.freshSchema('files');
  });

  it('loads a CSV with quoted fields, inferring types', async () => {
    const { engine } = context;
    await load('orders', { format: 'csv' });
    expect(await familiesOf(engine, target('orders'))).toEqual({ id: 'integer', name: 'text', amount: 'float', ordered_at: 'timestamp' });
    expect(await rowsOf(engine, target('orders'), ['id'])).toEqual([
      { id: 1, name: 'Smith, Anna', amount: 12.5, ordered_at: new Date('2024-01-02T03:04:05Z') },
      { id: 2, name: 'Bob', amount: 7, ordered_at: new Date('2024-01-03T00:00:00Z') },
      { id: 3, name: null, amount: 0.25, ordered_at: new Date('2024-01-04T12:00:00Z') },
    ]);
  });

  it('loads a CSV with declared types, a delimiter, null strings and a date format', async () => {
    const { engine } = context;
    await load('typed', {
      format: 'csv',
      delimiter: ';',
      nullStrings: ['NA'],
      dateFormat: '%d/%m/%Y',
      columns: { id: 'BIGINT', amount: 'DECIMAL(10,2)', day: 'DATE' },
    });
    expect(await familiesOf(engine, target('typed'))).toEqual({ id: 'integer', amount: 'decimal', day: 'date' });
    expect(await rowsOf(engine, target('typed'), ['id'])).toEqual([
      { id: 1, amount: 12.5, day: new Date('2024-01-02T00:00:00Z') },
      { id: 2, amount: null, day: new Date('2024-01-03T00:00:00Z') },
    ]);
  });

  it('loads every file a glob matches', async () => {
    await context.engine.loadFiles(target('parts'), { format: 'csv', paths: [path('part-*.csv')] });
    expect(await rowsOf(context.engine, target('parts'), ['id'])).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ]);
  });

  it('loads newline-delimited JSON, nested values included', async () => {
    await load('orders', { format: 'ndjson' });
    expect(await rowsOf(context.engine, target('orders'), ['id'])).toEqual([
      { id: 1, name: 'a', tags: ['x', 'y'] },
      { id: 2, name: 'b', tags: [] },
    ]);
  });

  it('loads a JSON array', async () => {
    await load('orders', { format: 'json' });
    expect(await rowsOf(context.engine, target('orders'), ['id'])).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: null },
    ]);
  });

  it('loads Parquet with its own types', async () => {
    const { engine } = context;
    await load('orders', { format: 'parquet' });
    expect(await familiesOf(engine, target('orders'))).toEqual({ id: 'integer', name: 'text', amount: 'float', ordered_at: 'timestamp', price: 'decimal' });
    expect(await rowsOf(engine, target('orders'), ['id'])).toEqual([
      { id: 1, name: 'a', amount: 1.5, ordered_at: new Date('2024-01-02T03:04:05Z'), price: 19.99 },
      { id: 2, name: 'b', amount: -2, ordered_at: new Date('2024-02-03T04:05:06Z'), price: 0.1 },
    ]);
  });

  it('names the file and line of a ragged CSV row', async () => {
    const error = await rejectionOf(load('ragged', { format: 'csv' }));
    expectReadError(error, path('ragged.csv'), 3);
  });

  it('names the file and line of a value that does not fit a declared type', async () => {
    const error = await rejectionOf(load('bad-value', { format: 'csv', columns: { id: 'BIGINT', name: 'VARCHAR', amount: 'DOUBLE' } }));
    expectReadError(error, path('bad-value.csv'), 3);
  });

  it('keeps the previous table when a load fails, and replaces it when a load succeeds', async () => {
    const { engine } = context;
    await engine.loadFiles(target('kept'), { format: 'csv', paths: [path('orders.csv')] });
    await expect(engine.loadFiles(target('kept'), { format: 'csv', paths: [path('ragged.csv')] })).rejects.toThrow();
    expect(await engine.rowCount(target('kept'))).toBe(3);
    await engine.loadFiles(target('kept'), { format: 'csv', paths: [path('part-2.csv')] });
    expect(await rowsOf(engine, target('kept'), ['id'])).toEqual([{ id: 3, name: 'c' }]);
  });

  it('reports a missing file as a read error naming it', async () => {
    const missing = path('no-such-file.csv');
    const error = await rejectionOf(context.engine.loadFiles(target('missing'), { format: 'csv', paths: [missing] }));
    expect(isWeirError(error) && error.code).toBe('SOURCE_READ_FAILED');
    expect(String((error as Error).message)).toContain('no-such-file.csv');
  });

  it('refuses a declared column type that is not a type name', async () => {
    const error = await rejectionOf(load('orders', { format: 'csv', columns: { id: "BIGINT', x := 1 --" } }));
    expect(isWeirError(error) && error.code).toBe('CONFIG_INVALID');
  });
}

function expectReadError(error: unknown, file: string, line: number): void {
  if (!isWeirError(error)) throw error;
  expect(error.code).toBe('SOURCE_READ_FAILED');
  expect(error.location).toEqual({ file, line });
  expect(error.message).toContain(file);
}

/** A Parquet fixture, written with DuckDB (the format is binary; no engine under test is involved). */
async function writeParquet(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(
      `COPY (SELECT CAST(id AS INTEGER) AS id, CAST(name AS VARCHAR) AS name, CAST(amount AS DOUBLE) AS amount,
                    CAST(ordered_at AS TIMESTAMP) AS ordered_at, CAST(price AS DECIMAL(10,2)) AS price
             FROM (VALUES (1, 'a', 1.5, '2024-01-02 03:04:05', '19.99'), (2, 'b', -2, '2024-02-03 04:05:06', '0.10')) AS v(id, name, amount, ordered_at, price))
       TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
