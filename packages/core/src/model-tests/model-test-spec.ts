/**
 * A unit test of a model as loaded from `tests/*.yaml`: fixture tables for the model's inputs
 * (and, for an incremental model, its current rows), and the rows it must produce. Everything
 * here is validated against the project before any test runs.
 */
import type { SourceLocation } from '../errors/weir-error.js';
import type { Row } from '../engines/engine-adapter.js';

/** A column of inline fixture rows, with the SQL type it is created with. */
export interface FixtureColumn {
  name: string;
  /** Declared under `types:`, or inferred from the values (see `fixture-columns.ts`). */
  type: string;
}

/** Rows written in the test file. */
export interface FixtureRows {
  kind: 'rows';
  rows: Row[];
  /** Every column any row gives (or `types:` declares), in order of first appearance. */
  columns: FixtureColumn[];
  /** Where the table is written, for errors found while creating it. */
  location: SourceLocation;
}

/** Rows read from CSV: a file next to the test file, or CSV text written inline. */
export interface FixtureCsv {
  kind: 'csv';
  /** Absolute path of the CSV file; absent when `text` is given. */
  path?: string;
  /** Inline CSV text, header line first. */
  text?: string;
  /** Column types that must not be guessed by the CSV reader. */
  types: Record<string, string>;
  location: SourceLocation;
}

/** One fixture table. */
export type Fixture = FixtureRows | FixtureCsv;

/** How produced rows are compared with the expected ones. */
export interface Expectation {
  table: Fixture;
  /** `ignore` (default): the rows may come in any order; `keep`: row i must match row i. */
  order: 'ignore' | 'keep';
  /** Only these columns are compared; all the model produces when absent. */
  columns?: string[];
  /**
   * Largest absolute difference between two numbers still taken as equal. Absent: equal up to
   * floating-point rounding (a relative 1e-9).
   */
  tolerance?: number;
  location: SourceLocation;
}

/** One test of one SQL model. */
export interface ModelTest {
  name: string;
  model: string;
  /** The test file, relative to the project root. */
  file: string;
  /** 1-based line of the test's entry in `file`. */
  line: number;
  /** A fixture for every input the model reads, by input asset name. */
  given: Record<string, Fixture>;
  /** Rows of the incremental model's current version; absent: the first build. */
  existing?: Fixture;
  expect: Expectation;
}
