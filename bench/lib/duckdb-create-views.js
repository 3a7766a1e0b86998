/**
 * The baseline of the orchestration benchmark, run as its own process: DuckDB alone, through
 * `@duckdb/node-api`, loads the same tiny CSV into a table and creates the same views, in
 * dependency order, in a fresh database file. No planning, no state, no checks: the least work
 * that leaves the same views queryable.
 *
 * Usage: node duckdb-create-views.js <database file> <source name> <csv path> <views.json>
 * where views.json is `[{ "name": "...", "sql": "..." }]` in dependency order.
 */
import { readFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';

const [databaseFile, sourceName, csvPath, viewsFile] = process.argv.slice(2);
const views = JSON.parse(await readFile(viewsFile, 'utf8'));
const instance = await DuckDBInstance.create(databaseFile);
const connection = await instance.connect();
const quote = (name) => `"${name.replaceAll('"', '""')}"`;
await connection.run(`CREATE TABLE ${quote(sourceName)} AS SELECT * FROM read_csv($1)`, [csvPath]);
for (const view of views) {
  await connection.run(`CREATE VIEW ${quote(view.name)} AS ${view.sql}`);
}
connection.closeSync();
instance.closeSync();
