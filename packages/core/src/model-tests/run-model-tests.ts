/**
 * Running model unit tests: each test in a fresh engine of its own (in-memory, opened by the
 * caller's factory, since only the apps wire concrete engines), with the fixtures under the
 * names the model's SQL is rewritten to, built by the same materializer functions `weir run`
 * uses. Nothing touches the warehouse.
 */
import { closestName } from '../errors/closest-name.js';
import { formatLocation, isWeirError, messageOf, type SourceLocation } from '../errors/weir-error.js';
import type { ColumnInfo, EngineAdapter } from '../engines/engine-adapter.js';
import { locateModelError } from '../execution/locate-model-error.js';
import { buildModel, mergeIncrementalRows, prepareWarehouse, resolvedSql, stageIncrementalRows, type BuildTarget } from '../materialize/materialize-model.js';
import { environmentView, physicalRelation } from '../plan/physical-names.js';
import type { Project, SqlAsset } from '../project/project-model.js';
import { compareRows, type RowDiff } from './compare-rows.js';
import {
  ScratchFiles,
  createExpectedTable,
  createInputTable,
  describeOrFail,
  fillExistingTable,
  fixtureColumnNames,
  fixtureError,
  readRows,
  type FixtureEngine,
} from './fixture-tables.js';
import type { ModelTest } from './model-test-spec.js';

/** Opens a new, empty engine for one test (an in-memory DuckDB in the `weir` app). */
export type TestEngineFactory = () => Promise<EngineAdapter>;

/** The outcome of one test. */
export interface ModelTestResult {
  name: string;
  model: string;
  /** The test file (relative to the project root) and the line of the test. */
  file: string;
  line: number;
  /**
   * `passed`; `failed`: the model ran and its rows (or columns) are not the expected ones;
   * `error`: the test could not run (the model's SQL failed on the fixtures, a value did not fit).
   */
  status: 'passed' | 'failed' | 'error';
  /** Why it failed or could not run; for a row diff, a one-line summary. */
  message?: string;
  /** The file place the message is about (a fixture, the expectation), when there is one. */
  location?: SourceLocation;
  /** Set when rows were compared and differ. */
  diff?: RowDiff;
}

/** Options of {@link runModelTests}. */
export interface RunModelTestsOptions {
  /** Called as each test finishes, in order, for live output. */
  onResult?: (result: ModelTestResult) => void;
}

// Fixed names of the tables a test creates. They follow the warehouse's own naming (a physical
// version per asset), so the model's SQL is rewritten exactly as `weir run` rewrites it.
const FIXTURE = 'fixture';
const EXISTING = 'existing';
const PRODUCED = 'produced';
const EXPECTED = 'expected';
const TEST_RUN = 'model-test';

/**
 * Runs `tests` (from `loadModelTests`) one after another, each in its own engine.
 *
 * @example
 * ```ts
 * const results = await runModelTests(project, await loadModelTests(project), () => openDuckDBAdapter({ path: ':memory:' }));
 * const failed = results.filter((result) => result.status !== 'passed');
 * ```
 */
export async function runModelTests(project: Project, tests: readonly ModelTest[], openEngine: TestEngineFactory, options: RunModelTestsOptions = {}): Promise<ModelTestResult[]> {
  const results: ModelTestResult[] = [];
  for (const test of tests) {
    const result = await runModelTest(project, test, openEngine);
    options.onResult?.(result);
    results.push(result);
  }
  return results;
}

/**
 * Runs one test in a new engine, closed afterwards whatever happens.
 *
 * @example
 * ```ts
 * const result = await runModelTest(project, tests[0], () => openDuckDBAdapter({ path: ':memory:' }));
 * if (result.diff) console.log(result.diff.missing, result.diff.unexpected);
 * ```
 */
export async function runModelTest(project: Project, test: ModelTest, openEngine: TestEngineFactory): Promise<ModelTestResult> {
  const base = { name: test.name, model: test.model, file: test.file, line: test.line };
  const asset = project.assets.get(test.model);
  if (asset?.kind !== 'sql') return { ...base, status: 'error', message: `"${test.model}" is not a SQL model of this project` };
  const engine = await openEngine();
  const context: FixtureEngine = { engine, scratch: new ScratchFiles() };
  try {
    return { ...base, ...(await runIn(context, project, asset, test)) };
  } catch (error) {
    const location = isWeirError(error) ? error.location : undefined;
    return { ...base, status: 'error', message: messageOf(error), ...(location === undefined ? {} : { location }) };
  } finally {
    await engine.close();
    await context.scratch.remove();
  }
}

type Outcome = Pick<ModelTestResult, 'status' | 'message' | 'location' | 'diff'>;

async function runIn(context: FixtureEngine, project: Project, asset: SqlAsset, test: ModelTest): Promise<Outcome> {
  const { engine } = context;
  await prepareWarehouse(engine, project.environment);
  for (const input of asset.inputs) {
    const fixture = test.given[input];
    if (fixture === undefined) return { status: 'error', message: `no fixture for "${input}", which the model reads` };
    const relation = physicalRelation(input, FIXTURE);
    await createInputTable(context, relation, fixture).catch((error: unknown) => {
      throw fixtureError(fixture, `cannot create the fixture "${input}"`, error);
    });
    // SQL the parser could not read is not rewritten; it finds its inputs in the environment, as in a run.
    if (asset.inputsDeclared) await engine.pointView(environmentView(project.environment, input), relation);
  }
  const target: BuildTarget = {
    engine,
    physical: physicalRelation(asset.name, PRODUCED),
    inputVersions: Object.fromEntries(asset.inputs.map((input) => [input, FIXTURE])),
    environment: project.environment,
  };
  const built = await build(context, asset, test, target);
  if (built !== undefined) return built;

  const produced = await describeOrFail(engine, target.physical);
  const compared = comparedColumns(produced, test);
  const expectedNames = await fixtureColumnNames(context, test.expect.table, physicalRelation(asset.name, 'expected_csv'));
  const mismatch = columnMismatch(produced, expectedNames, test);
  if (mismatch !== undefined) return { status: 'failed', message: mismatch, location: test.expect.location };

  const expectedRelation = physicalRelation(asset.name, EXPECTED);
  await createExpectedTable(context, expectedRelation, test.expect.table, compared, physicalRelation(asset.name, 'expected_csv')).catch((error: unknown) => {
    throw fixtureError(test.expect.table, "the expected rows do not fit the model's column types", error);
  });
  const expected = await readRows(engine, expectedRelation, compared);
  const actual = await readRows(engine, target.physical, compared);
  const diff = compareRows(expected, actual, {
    columns: compared.map((column) => column.name),
    order: test.expect.order,
    ...(test.expect.tolerance === undefined ? {} : { tolerance: test.expect.tolerance }),
  });
  if (diff.missing.length === 0 && diff.unexpected.length === 0) return { status: 'passed' };
  return { status: 'failed', message: summarize(diff), diff };
}

/**
 * Builds the model from the fixtures as `weir run` would: a view or table directly; an
 * incremental model by staging its new rows against the existing version and merging (or
 * appending) them into a copy of it. Returns an outcome only when the model's SQL fails.
 */
async function build(context: FixtureEngine, asset: SqlAsset, test: ModelTest, target: BuildTarget): Promise<Outcome | undefined> {
  try {
    if (asset.materialization !== 'incremental') {
      await buildModel(asset, target);
      return undefined;
    }
    let basedOn: string | null = null;
    if (test.existing !== undefined) {
      basedOn = EXISTING;
      const previous = physicalRelation(asset.name, EXISTING);
      // The previous version has the model's own columns and types: the model on the fixtures, no rows.
      const searchSchema = asset.inputsDeclared ? target.environment : undefined;
      await context.engine.createTableAs(previous, `SELECT * FROM (${resolvedSql(asset, target)}\n) AS weir_model WHERE 1 = 0`, searchSchema);
      const existing = test.existing;
      await fillExistingTable(context, previous, existing, physicalRelation(asset.name, 'existing_csv')).catch((error: unknown) => {
        throw isWeirError(error) && error.location !== undefined ? error : fixtureError(existing, 'cannot load the existing rows', error);
      });
    }
    const staging = await stageIncrementalRows(asset, { ...target, runId: TEST_RUN, basedOn });
    await mergeIncrementalRows(asset, { ...target, basedOn, staging });
    return undefined;
  } catch (error) {
    // Fixture errors already point into the test file; anything else is the model's SQL failing.
    if (isWeirError(error) && error.location !== undefined && error.location.file !== asset.file) throw error;
    const located = locateModelError(asset, error);
    const location = (isWeirError(located) ? located.location : undefined) ?? { file: asset.file, line: asset.sqlStartLine };
    return { status: 'error', message: `the model failed on the fixtures: ${engineMessage(messageOf(located))}`, location };
  }
}

/**
 * An engine message without the excerpt of the statement it ran: that statement is the model
 * rewritten to read the fixtures, which is not what the person wrote (the location says where).
 */
function engineMessage(message: string): string {
  const lines = message.split('\n');
  const excerpt = lines.findIndex((line) => /^LINE \d+:/.test(line));
  return (excerpt === -1 ? lines : lines.slice(0, excerpt))
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}

/** The model's columns that are compared, in the model's order. */
function comparedColumns(produced: ColumnInfo[], test: ModelTest): ColumnInfo[] {
  const wanted = test.expect.columns;
  return wanted === undefined ? produced : produced.filter((column) => wanted.includes(column.name));
}

/** Why the expected columns cannot be compared with the produced ones, if they cannot. */
function columnMismatch(produced: ColumnInfo[], expectedNames: string[], test: ModelTest): string | undefined {
  const names = produced.map((column) => column.name);
  const listed = test.expect.columns;
  const missingFromModel = (listed ?? expectedNames).filter((name) => !names.includes(name));
  if (missingFromModel.length > 0) {
    const suggestion = missingFromModel.map((name) => closestName(name, names)).find((name) => name !== undefined);
    const subject = listed === undefined ? 'the expected rows give' : '"columns" lists';
    return `${subject} ${quoted(missingFromModel)}, which the model does not produce (it produces ${names.join(', ')})${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
  }
  // An empty list of expected rows says nothing about columns: it expects no rows at all.
  const emptyRows = test.expect.table.kind === 'rows' && test.expect.table.rows.length === 0;
  if (listed !== undefined || emptyRows) return undefined;
  const notGiven = names.filter((name) => !expectedNames.includes(name));
  if (notGiven.length === 0) return undefined;
  return `the model also produces ${quoted(notGiven)}, which the expected rows do not give; add ${notGiven.length === 1 ? 'it' : 'them'}, or list the columns to compare under "columns"`;
}

function summarize(diff: RowDiff): string {
  const parts = [
    `${diff.missing.length} expected row${diff.missing.length === 1 ? '' : 's'} missing`,
    `${diff.unexpected.length} unexpected row${diff.unexpected.length === 1 ? '' : 's'}`,
  ];
  return `${parts.join(', ')} (expected ${diff.expectedCount}, produced ${diff.producedCount}, ${diff.matched} matched)`;
}

function quoted(names: string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/** Formats where a result points, for messages: `file:line` of the problem, else of the test. */
export function resultLocation(result: ModelTestResult): string {
  return formatLocation(result.location ?? { file: result.file, line: result.line });
}

