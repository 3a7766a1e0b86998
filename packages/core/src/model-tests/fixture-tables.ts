/**
 * Fixture tables in the test engine: inputs created with their own (declared or inferred) types,
 * an incremental model's existing rows and the expected rows cast to the model's column types,
 * so that produced and expected values reach the comparison typed alike.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closestName } from '../errors/closest-name.js';
import { WeirError, formatLocation, isWeirError, messageOf } from '../errors/weir-error.js';
import type { ColumnInfo, EngineAdapter, RelationRef, Row } from '../engines/engine-adapter.js';
import type { Fixture, FixtureCsv } from './model-test-spec.js';

/** Scratch files (inline CSV text) of one test, removed when it ends. */
export class ScratchFiles {
  private folder: string | undefined;
  private count = 0;

  /** Writes `text` to a new file and returns its absolute path. */
  async write(text: string): Promise<string> {
    this.folder ??= await mkdtemp(path.join(tmpdir(), 'weir-test-'));
    const file = path.join(this.folder, `inline-${++this.count}.csv`);
    await writeFile(file, text);
    return file;
  }

  async remove(): Promise<void> {
    if (this.folder !== undefined) await rm(this.folder, { recursive: true, force: true });
  }
}

/** What the fixture helpers share. */
export interface FixtureEngine {
  engine: EngineAdapter;
  scratch: ScratchFiles;
}

/**
 * Creates an input fixture as `target`: inline rows with their column types, CSV with the
 * engine's reader (types under `types:` fixed, the rest detected).
 *
 * @example
 * ```ts
 * await createInputTable({ engine, scratch }, physicalRelation('orders', 'fixture'), test.given.orders);
 * ```
 */
export async function createInputTable(context: FixtureEngine, target: RelationRef, fixture: Fixture): Promise<void> {
  if (fixture.kind === 'csv') {
    await loadCsv(context, target, fixture);
    return;
  }
  const columns = fixture.columns.map((column): ColumnInfo => ({ name: column.name, type: column.type, nullable: true }));
  await context.engine.bulkInsert(target, columns, fixture.rows, { append: false });
}

/**
 * Adds an incremental model's existing rows to `target`, which already has the model's columns.
 * A column the model does not produce is an error; one the rows leave out is NULL.
 */
export async function fillExistingTable(context: FixtureEngine, target: RelationRef, fixture: Fixture, scratchName: RelationRef): Promise<void> {
  const columns = await describeOrFail(context.engine, target);
  const given = await fixtureColumnNames(context, fixture, scratchName);
  const unknown = given.filter((name) => !columns.some((column) => column.name === name));
  if (unknown.length > 0) throw notProduced(unknown, columns, fixture, 'the existing rows give');
  if (fixture.kind === 'rows') {
    await context.engine.bulkInsert(target, columns.filter((column) => given.includes(column.name)), fixture.rows, { append: true });
  } else {
    await context.engine.appendFrom(target, scratchName);
  }
}

/**
 * Creates the expected rows as `target` with the compared columns' types. Numbers land in DOUBLE
 * columns when the model's column is a decimal or a float: casting `30.004` to DECIMAL(18,2)
 * would round it to the `30.00` the model produced and hide the difference.
 */
export async function createExpectedTable(context: FixtureEngine, target: RelationRef, fixture: Fixture, columns: ColumnInfo[], scratchName: RelationRef): Promise<void> {
  const typed = columns.map((column): ColumnInfo => ({ ...column, type: isFractional(column.type) ? 'DOUBLE' : column.type }));
  if (fixture.kind === 'rows') {
    await context.engine.bulkInsert(target, typed, fixture.rows, { append: false });
    return;
  }
  const q = (name: string): string => context.engine.quoteIdentifier(name);
  const casts = typed.map((column) => `CAST(${q(column.name)} AS ${column.type}) AS ${q(column.name)}`);
  await context.engine.createTableAs(target, `SELECT ${casts.join(', ')} FROM ${context.engine.quoteRelation(scratchName)}`);
}

/**
 * The column names a fixture gives. A CSV fixture is read into `scratchName` to learn them (and
 * stays there for the caller to copy from).
 */
export async function fixtureColumnNames(context: FixtureEngine, fixture: Fixture, scratchName: RelationRef): Promise<string[]> {
  if (fixture.kind === 'rows') return fixture.columns.map((column) => column.name);
  await loadCsv(context, scratchName, fixture);
  return (await describeOrFail(context.engine, scratchName)).map((column) => column.name);
}

/**
 * Reads every row of `relation` in its stored order. Columns of types other than numbers, text and
 * booleans are read as the engine's text for them ('2024-01-02', '10:30:00', '[1, 2]'): the same
 * on both sides of a comparison, and readable in a diff.
 */
export async function readRows(engine: EngineAdapter, relation: RelationRef, columns: ColumnInfo[]): Promise<Row[]> {
  const q = (name: string): string => engine.quoteIdentifier(name);
  const list = columns.map((column) => (isPlain(column.type) ? q(column.name) : `CAST(${q(column.name)} AS VARCHAR) AS ${q(column.name)}`));
  const session = await engine.session();
  try {
    return await session.query(`SELECT ${list.join(', ')} FROM ${engine.quoteRelation(relation)}`);
  } finally {
    await session.close();
  }
}

/** The columns of a relation that must exist. */
export async function describeOrFail(engine: EngineAdapter, relation: RelationRef): Promise<ColumnInfo[]> {
  const columns = await engine.describe(relation);
  if (columns === undefined) throw new WeirError('INTERNAL', `the test table ${engine.quoteRelation(relation)} was not created`);
  return columns;
}

/** An error about a fixture, placed at the fixture in the test file. */
export function fixtureError(fixture: Fixture, what: string, error: unknown): WeirError {
  if (isWeirError(error) && error.location !== undefined) return error;
  return new WeirError('SQL_EXECUTION', `${what}: ${messageOf(error)}`, { location: fixture.location, cause: error });
}

function notProduced(names: string[], columns: ColumnInfo[], fixture: Fixture, subject: string): WeirError {
  const produced = columns.map((column) => column.name);
  const suggestion = names.map((name) => closestName(name, produced)).find((name) => name !== undefined);
  return new WeirError('CONFIG_INVALID', `${subject} ${names.map((name) => `"${name}"`).join(', ')}, which the model does not produce (it produces ${produced.join(', ')})`, {
    location: fixture.location,
    ...(suggestion === undefined ? {} : { hint: `did you mean "${suggestion}"?` }),
  });
}

async function loadCsv(context: FixtureEngine, target: RelationRef, fixture: FixtureCsv): Promise<void> {
  const file = fixture.path ?? (await context.scratch.write(fixture.text ?? ''));
  const columns = Object.keys(fixture.types).length > 0 ? { columns: fixture.types } : {};
  try {
    await context.engine.loadFiles(target, { format: 'csv', paths: [file], header: true, ...columns });
  } catch (error) {
    // The reader names a scratch file for inline text; the test file is what the person wrote.
    const where = fixture.path === undefined ? `inline CSV at ${formatLocation(fixture.location)}` : fixture.path;
    throw new WeirError('CONFIG_INVALID', `cannot read the CSV fixture (${where}): ${messageOf(error).replace(/^cannot read [^:]*: /, '')}`, { location: fixture.location, cause: error });
  }
}

// Numbers, text and booleans arrive as JS values that compare and print as they are.
const PLAIN_TYPE = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?|NUMERIC(\(\d+,\s*\d+\))?|BOOLEAN|VARCHAR|TEXT)$/;

function isPlain(type: string): boolean {
  return PLAIN_TYPE.test(type.toUpperCase());
}

function isFractional(type: string): boolean {
  return /^(FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC)\b/.test(type.toUpperCase());
}
