/**
 * Reading `tests/**\/*.yaml` into validated {@link ModelTest}s. Every file is read and checked
 * against the loaded project (the model exists and is a SQL model, every input it reads has a
 * fixture and nothing else does), and all problems are reported together, each at its
 * `file:line:column`, before any test runs.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { didYouMean } from '../errors/closest-name.js';
import type { WeirError } from '../errors/weir-error.js';
import { fromZodIssues, issuesToErrors, yamlLocator, type ConfigIssue } from '../project/config-issues.js';
import type { Project, SqlAsset } from '../project/project-model.js';
import { throwProblems } from '../project/project-problems.js';
import { stripBom } from '../project/text-position.js';
import { parseYamlSource, type ValuePath } from '../project/yaml-source.js';
import { parseFixture, type FixtureContext } from './fixture-parser.js';
import type { Fixture, ModelTest } from './model-test-spec.js';
import { testFileSchema, testSchema } from './model-test-schema.js';

/** The folder of a project that holds its model tests. */
export const TESTS_FOLDER = 'tests';

/**
 * Loads every test file of `project` (`tests/**\/*.yaml` and `.yml`), in file order.
 *
 * @throws WeirError the problems found, one error when there is one and a `ProjectProblems`
 *   listing all of them when there are several: `YAML_MALFORMED`, `CONFIG_UNKNOWN_KEY`,
 *   `CONFIG_INVALID`, `ASSET_UNKNOWN` (a model or an input that is not one).
 * @example
 * ```ts
 * const project = await loadProject('.');
 * const tests = await loadModelTests(project);
 * console.log(tests.map((test) => `${test.file}:${test.line} ${test.model}: ${test.name}`));
 * ```
 */
export async function loadModelTests(project: Project): Promise<ModelTest[]> {
  const files = await listTestFiles(project.root);
  const results = await Promise.all(files.map((file) => loadTestFile(project, file)));
  throwProblems(results.flatMap((result) => result.problems));
  return results.flatMap((result) => result.tests);
}

async function loadTestFile(project: Project, file: string): Promise<{ tests: ModelTest[]; problems: WeirError[] }> {
  const text = stripBom(await readFile(path.join(project.root, file), 'utf8'));
  const { source, problems } = parseYamlSource(text, file);
  if (source === undefined) return { tests: [], problems };
  const locator = yamlLocator(source);
  const data: unknown = source.doc.toJS() ?? {};
  const parsedFile = testFileSchema.safeParse(data);
  if (!parsedFile.success) return { tests: [], problems: issuesToErrors(fromZodIssues(parsedFile.error.issues, data), locator) };

  const context: FixtureContext = { source, folder: path.dirname(path.join(project.root, file)) };
  const tests: ModelTest[] = [];
  const issues: ConfigIssue[] = [];
  const names = new Map<string, number>();
  for (const [index, entry] of parsedFile.data.tests.entries()) {
    const at: ValuePath = ['tests', index];
    const parsed = testSchema.safeParse(entry);
    if (!parsed.success) {
      issues.push(...fromZodIssues(parsed.error.issues, entry, at));
      continue;
    }
    const earlier = names.get(parsed.data.name);
    if (earlier !== undefined) {
      issues.push({ code: 'CONFIG_INVALID', path: [...at, 'name'], message: `test "${parsed.data.name}" is named twice in this file (first at tests[${earlier}])`, hint: 'test names are how results are reported; make them unique' });
    }
    names.set(parsed.data.name, index);
    const test = await parseTest(project, parsed.data, at, context, issues);
    if (test !== undefined) tests.push({ ...test, file, line: locator.locate(at).line ?? 1 });
  }
  return { tests: issues.length === 0 ? tests : [], problems: issuesToErrors(issues, locator) };
}

type TestEntry = ReturnType<typeof testSchema.parse>;

/** Checks one test against the project; pushes its problems and returns it when it has none. */
async function parseTest(project: Project, entry: TestEntry, at: ValuePath, context: FixtureContext, issues: ConfigIssue[]): Promise<Omit<ModelTest, 'file' | 'line'> | undefined> {
  const before = issues.length;
  const model = modelOf(project, entry.model, at, issues);

  const given: Record<string, Fixture> = {};
  for (const [input, value] of Object.entries(entry.given ?? {})) {
    if (model !== undefined && !model.inputs.includes(input)) {
      issues.push({
        code: 'ASSET_UNKNOWN',
        path: [...at, 'given', input],
        atKey: true,
        message: `"${input}" is not an input of model "${model.name}" (it reads ${listNames(model.inputs)})`,
        hint: didYouMean(input, model.inputs) ?? 'give rows only for the tables the model reads',
      });
      continue;
    }
    const { fixture, issues: fixtureIssues } = await parseFixture(value, [...at, 'given', input], 'input', context);
    issues.push(...fixtureIssues);
    if (fixture !== undefined) given[input] = fixture;
  }
  const missing = model?.inputs.filter((input) => entry.given?.[input] === undefined) ?? [];
  if (missing.length > 0) {
    issues.push({
      code: 'CONFIG_INVALID',
      path: entry.given === undefined ? at : [...at, 'given'],
      atKey: entry.given !== undefined,
      message: `model "${model?.name ?? ''}" reads ${listNames(missing)}: give ${missing.length === 1 ? 'its' : 'their'} rows under "given"`,
      hint: 'the test runs in an empty in-memory database: every table the model reads needs a fixture (an empty one is { types: { column: TYPE } })',
    });
  }

  let existing: Fixture | undefined;
  if (entry.existing !== undefined) {
    if (model !== undefined && model.materialization !== 'incremental') {
      issues.push({ code: 'CONFIG_INVALID', path: [...at, 'existing'], atKey: true, message: `"existing" rows are for incremental models; "${model.name}" is materialized as a ${model.materialization}`, hint: 'remove "existing", or make the model incremental' });
    } else {
      const parsed = await parseFixture(entry.existing, [...at, 'existing'], 'existing', context);
      issues.push(...parsed.issues);
      existing = parsed.fixture;
    }
  }

  const expectAt = [...at, 'expect'];
  const { fixture: expected, issues: expectIssues } = await parseFixture(entry.expect, expectAt, 'expect', context);
  issues.push(...expectIssues);
  if (expected?.kind === 'rows') issues.push(...expectedRowIssues(expected.rows, entry.expect.columns, [...expectAt, 'rows']));

  if (issues.length > before || model === undefined || expected === undefined) return undefined;
  return {
    name: entry.name,
    model: model.name,
    given,
    ...(existing === undefined ? {} : { existing }),
    expect: {
      table: expected,
      order: entry.expect.order ?? 'ignore',
      ...(entry.expect.columns === undefined ? {} : { columns: entry.expect.columns }),
      ...(entry.expect.tolerance === undefined ? {} : { tolerance: entry.expect.tolerance }),
      location: yamlLocator(context.source).locate(expectAt),
    },
  };
}

function modelOf(project: Project, name: string, at: ValuePath, issues: ConfigIssue[]): SqlAsset | undefined {
  const asset = project.assets.get(name);
  if (asset === undefined) {
    const models = [...project.assets.values()].filter((candidate) => candidate.kind === 'sql').map((candidate) => candidate.name);
    issues.push({ code: 'ASSET_UNKNOWN', path: [...at, 'model'], message: `no model "${name}" in this project`, hint: didYouMean(name, models) ?? didYouMean(name, project.assets.keys()) });
    return undefined;
  }
  if (asset.kind !== 'sql') {
    const what = asset.kind === 'typescript' ? 'a TypeScript asset' : 'a source table';
    issues.push({ code: 'CONFIG_INVALID', path: [...at, 'model'], message: `"${name}" is ${what}; unit tests are for SQL models`, hint: asset.kind === 'typescript' ? 'test a TypeScript asset with a vitest test of its run function' : undefined });
    return undefined;
  }
  return asset;
}

/**
 * Expected rows must give every compared column: with `columns`, those (other keys are ignored);
 * without, the same columns in every row as in the first.
 */
function expectedRowIssues(rows: ReadonlyArray<Record<string, unknown>>, columns: string[] | undefined, at: ValuePath): ConfigIssue[] {
  const compared = columns ?? Object.keys(rows[0] ?? {});
  const issues: ConfigIssue[] = [];
  rows.forEach((row, index) => {
    const lacking = compared.filter((column) => !(column in row));
    const extra = columns === undefined ? Object.keys(row).filter((column) => !compared.includes(column)) : [];
    if (lacking.length === 0 && extra.length === 0) return;
    const parts = [
      ...(lacking.length > 0 ? [`lacks ${listNames(lacking)}`] : []),
      ...(extra.length > 0 ? [`has ${listNames(extra)}, which the first row does not`] : []),
    ];
    issues.push({
      code: 'CONFIG_INVALID',
      path: [...at, index],
      message: `expected row ${index + 1} ${parts.join(' and ')}`,
      hint: columns === undefined ? 'every expected row gives the same columns (write null for an empty value), or list the columns to compare under "columns"' : 'every expected row gives each column listed under "columns"',
    });
  });
  return issues;
}

function listNames(names: readonly string[]): string {
  return names.length === 0 ? 'no tables' : names.map((name) => `"${name}"`).join(', ');
}

/** `tests/**\/*.yaml` and `.yml`, relative to the root with `/` separators, sorted; hidden entries skipped. */
async function listTestFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(root, relative), { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
      throw error;
    });
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) found.push(child);
    }
  };
  await walk(TESTS_FOLDER);
  return found.sort();
}
