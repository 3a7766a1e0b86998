/** The shape of a `tests/*.yaml` file, as users write it (see docs/model-tests.md). */
import * as z from 'zod';
import { nonEmptyString, strictObject } from '../project/strict-object.js';

/** A test file: a list of tests. */
export const testFileSchema = strictObject({
  tests: z.array(z.unknown(), { error: 'expected a list of tests' }).min(1, { error: 'expected at least one test' }),
});

/** One test. Fixture tables are checked on their own (`fixture-parser.ts`): they take two forms. */
export const testSchema = strictObject({
  name: nonEmptyString,
  model: nonEmptyString,
  description: z.string().optional(),
  given: z.record(z.string(), z.unknown(), { error: 'expected one entry per input of the model (input: rows)' }).optional(),
  existing: z.unknown().optional(),
  expect: strictObject({
    rows: z.unknown().optional(),
    csv: nonEmptyString.optional(),
    order: z.enum(['ignore', 'keep']).optional(),
    columns: z.array(nonEmptyString, { error: 'expected a list of column names' }).min(1, { error: 'expected at least one column' }).optional(),
    tolerance: z.number({ error: 'expected a number' }).nonnegative({ error: 'expected a number >= 0' }).optional(),
  }),
});

/** A list of rows, each a mapping of column to value. */
export const rowsSchema = z.array(z.record(z.string(), z.unknown(), { error: 'expected a row: a mapping of column: value' }), {
  error: 'expected a list of rows (each a mapping of column: value)',
});

/** SQL types by column. */
export const typesSchema = z.record(z.string(), nonEmptyString, { error: 'expected column: SQL type lines' });

/** The long form of an input fixture: rows or CSV, with column types. */
export const inputFixtureSchema = strictObject({
  rows: rowsSchema.optional(),
  csv: nonEmptyString.optional(),
  types: typesSchema.optional(),
});

/** The long form of an incremental model's existing rows (their types are the model's own). */
export const existingFixtureSchema = strictObject({
  rows: rowsSchema.optional(),
  csv: nonEmptyString.optional(),
});
