/**
 * Reading Great Expectations' standalone test definitions (`tests/test_definitions/<category>/*.json`)
 * and deciding which cases a backend runs, the way GE's own runner does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Column-oriented table data: column name to its values (null is a missing value). */
export type GeTableData = Record<string, unknown[]>;

/** One named table of a multi-table dataset (`expect_table_row_count_to_equal_other_table`). */
export interface GeNamedTable {
  dataset_name: string;
  data: GeTableData;
  schemas?: Record<string, Record<string, string>>;
}

/** One test case of a dataset. */
export interface GeTestCase {
  title: string;
  exact_match_out?: boolean;
  /** Keyword arguments of the expectation (a positional list in one suppressed case). */
  in: Record<string, unknown> | unknown[];
  out: Record<string, unknown>;
  only_for?: string[];
  suppress_test_for?: string[];
  /** Expected configuration error, the older spelling of `out.traceback_substring`. */
  error?: { traceback_substring?: string };
  /** Relative tolerance for a float observed value. */
  tolerance?: number;
}

/** A dataset and the cases run against it. */
export interface GeDataset {
  dataset_name?: string;
  data: GeTableData | GeNamedTable[];
  /** Column types per backend (`sqlite`, `spark`, `pandas`, `postgresql`, ...). */
  schemas?: Record<string, Record<string, string>>;
  tests: GeTestCase[];
  only_for?: string[];
  suppress_test_for?: string[];
}

/** One definition file. */
export interface GeDefinitionFile {
  /** The path below `test_definitions/`, e.g. `column_map_expectations/expect_column_values_to_be_unique.json`. */
  path: string;
  /** The file name without `.json`: several files can test one expectation type, so reports use this. */
  name: string;
  expectation_type: string;
  datasets: GeDataset[];
}

const POSITIVE_INFINITY = '\u0000weir:+Infinity';
const NEGATIVE_INFINITY = '\u0000weir:-Infinity';
const NOT_A_NUMBER = '\u0000weir:NaN';

/**
 * Parses GE's JSON, which (being written for Python's json module) may hold bare `Infinity`,
 * `-Infinity` and `NaN`. They are rewritten outside string literals only, so a note that mentions
 * "the string Infinity" stays as it is.
 *
 * @example
 * ```ts
 * parseGeJson('{"bins": [-Infinity, 0, Infinity], "note": "Infinity"}');
 * // { bins: [-Infinity, 0, Infinity], note: 'Infinity' }
 * ```
 */
export function parseGeJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text[index + 1] ?? '';
        index += 1;
      } else if (char === '"') {
        inString = false;
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
    } else if (text.startsWith('-Infinity', index)) {
      out += JSON.stringify(NEGATIVE_INFINITY);
      index += '-Infinity'.length - 1;
    } else if (text.startsWith('Infinity', index)) {
      out += JSON.stringify(POSITIVE_INFINITY);
      index += 'Infinity'.length - 1;
    } else if (text.startsWith('NaN', index)) {
      out += JSON.stringify(NOT_A_NUMBER);
      index += 'NaN'.length - 1;
    } else {
      out += char;
    }
  }
  return JSON.parse(out, (_key, value: unknown) => {
    if (value === POSITIVE_INFINITY) return Infinity;
    if (value === NEGATIVE_INFINITY) return -Infinity;
    if (value === NOT_A_NUMBER) return NaN;
    return value;
  });
}

/**
 * Every definition file below `<corpus>/test_definitions`, sorted by path.
 *
 * @example
 * ```ts
 * const files = loadGeDefinitions('/work/shared/conformance/great_expectations');
 * files.find((file) => file.name === 'expect_column_values_to_be_unique')?.datasets.length; // 2
 * ```
 */
export function loadGeDefinitions(corpus: string): GeDefinitionFile[] {
  const root = join(corpus, 'test_definitions');
  const files: GeDefinitionFile[] = [];
  for (const category of readdirSync(root, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const entry of readdirSync(join(root, category.name))) {
      if (!entry.endsWith('.json')) continue;
      const full = join(root, category.name, entry);
      const parsed = parseGeJson(readFileSync(full, 'utf8')) as { expectation_type: string; datasets: GeDataset[] };
      files.push({ path: relative(root, full), name: entry.replace(/\.json$/, ''), expectation_type: parsed.expectation_type, datasets: parsed.datasets });
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Backends whose name GE's `sqlalchemy` marker stands for. */
const SQL_BACKENDS = new Set(['sqlite', 'postgresql', 'mysql', 'mssql', 'bigquery', 'snowflake', 'trino', 'redshift', 'athena', 'clickhouse', 'databricks']);

/** The GE backend a harness acts as. */
export type GeBackend = 'sqlite' | 'postgresql' | 'pandas';

/**
 * True when GE's runner would run a case (or a dataset) on `backend`, following its
 * `should_we_generate_this_test`: `suppress_test_for` wins, `sqlalchemy` names every SQL backend,
 * and a `<backend>_v3_api` entry counts as the backend (GE 1.x is the v3 API; `_v2_api` entries
 * are for a retired API and never match).
 *
 * @example
 * ```ts
 * runsOnBackend('sqlite', { only_for: ['sqlalchemy'] }); // true
 * runsOnBackend('sqlite', { suppress_test_for: ['sqlite', 'mssql'] }); // false
 * ```
 */
export function runsOnBackend(backend: GeBackend, marks: { only_for?: string[]; suppress_test_for?: string[] }): boolean {
  const matches = (entry: string): boolean =>
    entry === backend || entry === `${backend}_v3_api` || (entry === 'sqlalchemy' && SQL_BACKENDS.has(backend));
  if ((marks.suppress_test_for ?? []).some(matches)) return false;
  const only = marks.only_for ?? [];
  return only.length === 0 || only.some(matches);
}

/**
 * The expected configuration error of a case, if it expects one.
 *
 * @example
 * ```ts
 * expectedError({ title: 't', in: {}, out: {}, error: { traceback_substring: 'cannot both be None' } }); // 'cannot both be None'
 * ```
 */
export function expectedError(test: GeTestCase): string | undefined {
  const fromOut = test.out?.traceback_substring;
  if (typeof fromOut === 'string') return fromOut;
  return test.error?.traceback_substring;
}
