import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ColumnInfo } from '../engine-adapter.js';
import { openDuckDBAdapter, type DuckDBAdapter } from './duckdb-adapter.js';

// The CSV stream is cut across several pipes at row ends only: these tests feed rows whose values
// hold quotes, commas and newlines, in chunks cut at random bytes (inside quoted values too), and
// check every value arrives whole and exactly once.

let engine: DuckDBAdapter;

beforeAll(async () => {
  engine = await openDuckDBAdapter({ path: ':memory:', threads: 4 });
});
afterAll(async () => engine.close());

const columns: ColumnInfo[] = [
  { name: 'id', type: 'BIGINT', nullable: false },
  { name: 'label', type: 'VARCHAR', nullable: true },
];

async function query(sql: string) {
  const session = await engine.session();
  try {
    return await session.query(sql);
  } finally {
    await session.close();
  }
}

/** A value that needs quoting for some ids: quotes, commas and newlines inside. */
function label(id: number): string | null {
  if (id % 11 === 0) return null;
  if (id % 7 === 0) return `line one ${id}\nline "two", ${'x'.repeat(id % 50)}`;
  if (id % 5 === 0) return '';
  return `plain ${id}`;
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return `"${value.replaceAll('"', '""')}"`;
}

/** The rows as CSV in chunks of random sizes (a fixed seed: the same cuts every run). */
function chunkedCsv(rows: number, tail = ''): Readable {
  const text = Buffer.from(Array.from({ length: rows }, (_, id) => `${id},${csvField(label(id))}\n`).join('') + tail);
  let seed = 42;
  const chunks: Buffer[] = [];
  for (let at = 0; at < text.length; ) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (seed % 70_000);
    chunks.push(text.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks);
}

it('loads every row whole and exactly once when rows with quoted newlines are spread over several pipes', async () => {
  const rows = 200_000;
  const target = { schema: 'main', name: 'spread' };
  await engine.loadCsvStream(target, columns, chunkedCsv(rows));
  const [counts] = await query('SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM main.spread');
  expect(counts).toEqual({ n: rows, ids: rows, lo: 0, hi: rows - 1 });
  const loaded = await query('SELECT id, label FROM main.spread ORDER BY id');
  const wrong = loaded.filter((row) => row.label !== label(Number(row.id)));
  expect(wrong.slice(0, 3)).toEqual([]);
});

it('fails naming the bad value and leaves no half-read stream behind when a row does not fit its type', async () => {
  const target = { schema: 'main', name: 'bad_value' };
  await expect(engine.loadCsvStream(target, columns, chunkedCsv(50_000, 'not-a-number,"x"\n'))).rejects.toThrow(/not-a-number/);
  // The engine is still usable afterwards.
  const [one] = await query('SELECT 1 AS one');
  expect(one).toEqual({ one: 1 });
});

it('fails with the source error when the source stream breaks halfway', async () => {
  const target = { schema: 'main', name: 'cut_short' };
  async function* broken() {
    yield Buffer.from('1,"a"\n2,"b"\n3,"unfinished');
    throw new Error('connection to the source was lost');
  }
  await expect(engine.loadCsvStream(target, columns, Readable.from(broken()))).rejects.toThrow(/connection to the source was lost/);
});
