/**
 * Every bad input a user can write, and the error it must produce: the right code, and a message
 * that starts at the right `file:line` (and column where there is one).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isWeirError, type WeirError } from '../errors/weir-error.js';
import { loadProject, type LoadProjectOptions } from './load-project.js';
import { ProjectProblems } from './project-problems.js';
import { removeTempProject, writeTempProject } from './temp-project.js';
import { expectError, weirErrorOf } from '../testing/weir-error-expectations.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => removeTempProject(root)));
});

async function loadError(files: Record<string, string>, options: LoadProjectOptions = {}): Promise<WeirError> {
  const root = await writeTempProject(files);
  roots.push(root);
  return weirErrorOf(loadProject(root, { env: {}, ...options }));
}

const WEIR = { 'weir.yaml': 'name: shop\n' };

describe('finding the project', () => {
  test('a folder with no weir.yaml above it', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'weir-empty-'));
    roots.push(folder);
    const error = await loadProject(folder).catch((caught: unknown) => caught);
    expect(isWeirError(error) && error.code).toBe('PROJECT_NOT_FOUND');
    expect((error as WeirError).message).toContain(folder);
  });
});

describe('malformed YAML', () => {
  test('in weir.yaml, with line and column', async () => {
    const error = await loadError({ 'weir.yaml': 'name: shop\ndefaults:\n  concurrency: 4\n retries: 2\n' });
    expectError(error, 'YAML_MALFORMED', 'weir.yaml:4:1:', 'malformed YAML: All mapping items must start at the same column');
  });

  test('in a model header, at the line of the model file', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '-- a model\n/*---\ntags: [finance\n---*/\nselect 1 as x\n' });
    expectError(error, 'YAML_MALFORMED', 'models/a.sql:4:');
  });

  test('in a source file, including a key written twice', async () => {
    const error = await loadError({ ...WEIR, 'sources/s.yaml': 'tables:\n  - name: a\n    name: b\n    path: x.csv\n' });
    expectError(error, 'YAML_MALFORMED', 'sources/s.yaml:3:5:', 'unique');
  });
});

describe('unknown keys name the closest valid key', () => {
  test('in weir.yaml', async () => {
    const error = await loadError({ 'weir.yaml': 'name: shop\ndefaults:\n  materialisation: view\n' });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'weir.yaml:3:3:', 'unknown key "materialisation"', 'did you mean "materialization"?');
  });

  test('at the top of weir.yaml, listing valid keys when none is close', async () => {
    const error = await loadError({ 'weir.yaml': 'name: shop\nzzz: 1\n' });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'weir.yaml:2:1:', 'valid keys: name, environment, warehouse, state, defaults');
  });

  test('in a warehouse of another engine', async () => {
    const error = await loadError({ 'weir.yaml': 'name: shop\nwarehouse:\n  engine: postgres\n  url: postgres://x\n  path: a.db\n' });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'weir.yaml:5:3:', 'unknown key "path"');
  });

  test('in a source table', async () => {
    const error = await loadError({ ...WEIR, 'data/a.csv': 'x\n', 'sources/s.yaml': 'tables:\n  - name: a\n    path: data/a.csv\n    descripton: x\n' });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'sources/s.yaml:4:5:', 'did you mean "description"?');
  });

  test('in a source table\'s reader options', async () => {
    const error = await loadError({ ...WEIR, 'data/a.csv': 'x\n', 'sources/s.yaml': 'tables:\n  - name: a\n    path: data/a.csv\n    options:\n      delimeter: ";"\n' });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'sources/s.yaml:5:7:', 'did you mean "delimiter"?');
  });

  test('in a model header', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '/*---\ndescription: x\nowners: finance\n---*/\nselect 1 as x\n' });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'models/a.sql:3:1:', 'unknown key "owners"', 'did you mean "owner"?');
  });

  test('in a check\'s object form', async () => {
    const error = await loadError({
      ...WEIR,
      'models/a.sql': '/*---\nchecks:\n  - accepted_values: { column: status, value: [a] }\n---*/\nselect 1 as status\n',
    });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'models/a.sql:3:', 'unknown key "value"', 'did you mean "values"?');
  });

  test('an unknown check type', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '/*---\nchecks:\n  - not_null: x\n  - uniqe: x\n---*/\nselect 1 as x\n' });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'models/a.sql:4:5:', 'unknown check type "uniqe"', 'did you mean "unique"?');
  });

  test('in a TypeScript asset\'s options', async () => {
    const error = await loadError({
      ...WEIR,
      'models/t.ts': "import { defineAsset } from 'weir';\n\nexport const t = defineAsset({ timeout_seconds: 5, run: () => [] } as never);\n",
    });
    expectError(error, 'CONFIG_UNKNOWN_KEY', 'models/t.ts:3:', 'unknown key "timeout_seconds"', 'did you mean "timeoutSeconds"?');
  });
});

describe('wrong types say what was expected', () => {
  test('a word where a number belongs', async () => {
    const error = await loadError({ 'weir.yaml': 'name: shop\ndefaults:\n  concurrency: many\n' });
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:3:16:', '"defaults.concurrency": expected a whole number, got a string');
  });

  test('a value outside a set, with a suggestion', async () => {
    const error = await loadError({ 'weir.yaml': 'name: shop\nwarehouse:\n  engine: duckbd\n' });
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:3:11:', 'expected one of duckdb, postgres', 'did you mean "duckdb"?');
  });

  test('a missing required key', async () => {
    const error = await loadError({ 'weir.yaml': 'environment: prod\n' });
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:1:1:', '"name" is required');
  });

  test('a mapping where a list belongs in a model header', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '/*---\ninputs: {a: 1}\n---*/\nselect 1 as x\n' });
    expectError(error, 'CONFIG_INVALID', 'models/a.sql:2:9:', '"inputs"', 'got a mapping');
  });

  test('a check argument of the wrong shape', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '/*---\nchecks:\n  - row_count: 5\n---*/\nselect 1 as x\n' });
    expectError(error, 'CONFIG_INVALID', 'models/a.sql:3:16:', 'row_count: { min: 1, max: 1000 }');
  });

  test('two checks with one name', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '/*---\nchecks:\n  - not_null: x\n  - not_null: [y, x]\n---*/\nselect 1 as x, 2 as y\n' });
    expectError(error, 'CONFIG_INVALID', 'models/a.sql:4:', 'named "not_null_x"');
  });

  test('merge without a unique key, and an incremental block on a table', async () => {
    const merge = await loadError({ ...WEIR, 'models/a.sql': '/*---\nmaterialization: incremental\nincremental:\n  strategy: merge\n---*/\nselect 1 as x\n' });
    expectError(merge, 'CONFIG_INVALID', 'models/a.sql:4:13:', 'unique_key');
    const table = await loadError({ ...WEIR, 'models/a.sql': '/*---\nmaterialization: table\nincremental:\n  strategy: append\n---*/\nselect 1 as x\n' });
    expectError(table, 'CONFIG_INVALID', 'models/a.sql:3:1:', 'only to "materialization: incremental"');
  });

  test('a TypeScript asset with an option of the wrong type', async () => {
    const error = await loadError({
      ...WEIR,
      'models/t.ts': "import { defineAsset } from 'weir';\nexport const t = defineAsset({ retries: -1, run: () => [] });\n",
    });
    expectError(error, 'CONFIG_INVALID', 'models/t.ts:2:', '"t.retries": expected a whole number >= 0');
  });
});

describe('environment variables', () => {
  test('a missing variable is named, at its line', async () => {
    const error = await loadError({ 'weir.yaml': 'name: shop\nwarehouse:\n  engine: postgres\n  url: ${WEIR_WAREHOUSE_URL}\n' });
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:4:8:', 'environment variable "WEIR_WAREHOUSE_URL" is not set');
  });

  test('a resolved secret is never printed, even when its value is wrong', async () => {
    const error = await loadError({ 'weir.yaml': 'name: shop\ndefaults:\n  materialization: ${SECRET}\n' }, { env: { SECRET: 'hunter2' } });
    expectError(error, 'CONFIG_INVALID', 'weir.yaml:3:20:', 'expected one of view, table, incremental');
    expect(error.describe()).not.toContain('hunter2');
  });
});

describe('SQL model text', () => {
  test('an unclosed header block', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '\n/*---\ntags: [a]\nselect 1\n' });
    expectError(error, 'CONFIG_INVALID', 'models/a.sql:2:1:', 'never closed');
  });

  test('two statements', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '/*---\ntags: [a]\n---*/\nselect 1 as x;\nselect 2 as x;\n' });
    expectError(error, 'SQL_SYNTAX', 'models/a.sql:4:14:', 'exactly one query');
  });

  test('a statement that is not a query', async () => {
    const error = await loadError({ ...WEIR, 'models/a.sql': '-- loads data\n  create table t as select 1\n' });
    expectError(error, 'SQL_SYNTAX', 'models/a.sql:2:3:', 'SELECT or WITH', '"create"');
  });

  test('a file name that cannot be an asset name', async () => {
    const error = await loadError({ ...WEIR, 'models/my model.sql': 'select 1 as x' });
    expectError(error, 'CONFIG_INVALID', 'models/my model.sql:1:', 'not a valid asset name');
  });
});

describe('sources', () => {
  test('a literal path that does not exist', async () => {
    const error = await loadError({ ...WEIR, 'sources/s.yaml': 'tables:\n  - name: a\n    path: data/missing.csv\n' });
    expectError(error, 'CONFIG_INVALID', 'sources/s.yaml:3:11:', 'file "data/missing.csv" does not exist');
  });

  test('a path whose format cannot be told', async () => {
    const error = await loadError({ ...WEIR, 'data/a.xlsx': 'x', 'sources/s.yaml': 'tables:\n  - name: a\n    path: data/a.xlsx\n' });
    expectError(error, 'CONFIG_INVALID', 'sources/s.yaml:3:11:', 'cannot tell the file format', 'format: csv');
  });

  test('both path and paths', async () => {
    const error = await loadError({ ...WEIR, 'sources/s.yaml': 'tables:\n  - name: a\n    path: a/*.csv\n    paths: [b/*.csv]\n' });
    expectError(error, 'CONFIG_INVALID', 'sources/s.yaml:2:5:', 'exactly one of "path" or "paths"');
  });
});

describe('TypeScript assets', () => {
  test('a file that does not compile, at esbuild\'s line and column', async () => {
    const error = await loadError({
      ...WEIR,
      'models/broken.ts': "import { defineAsset } from 'weir';\n\nexport const broken = defineAsset({ run: () => [ });\n",
    });
    expectError(error, 'USER_CODE_FAILED', 'models/broken.ts:3:50:', 'does not compile');
  });

  test('an import that cannot be resolved', async () => {
    const error = await loadError({ ...WEIR, 'models/a.ts': "import { x } from './nowhere.js';\nexport const a = x;\n" });
    expectError(error, 'USER_CODE_FAILED', 'models/a.ts:1:19:', 'Could not resolve');
  });

  test('a file whose top level throws, at the line of the throw', async () => {
    const error = await loadError({
      ...WEIR,
      'models/boom.ts': "import { defineAsset } from 'weir';\nexport const boom = defineAsset({ run: () => [] });\nif (boom) throw new Error('no config for boom');\n",
    });
    expectError(error, 'USER_CODE_FAILED', 'models/boom.ts:3:', 'models/boom.ts threw while being loaded: no config for boom');
  });
});

describe('the project as a whole', () => {
  test('two assets with one name, naming both files', async () => {
    const error = await loadError({
      ...WEIR,
      'data/orders.csv': 'x\n',
      'sources/shop.yaml': 'tables:\n  - name: orders\n    path: data/orders.csv\n',
      'models/marts/orders.sql': 'select 1 as x',
    });
    expectError(error, 'ASSET_DUPLICATE', 'models/marts/orders.sql:1:', 'asset "orders" is defined twice', 'in sources/shop.yaml:2 and in models/marts/orders.sql:1');
  });

  test('names differing only in case are one name', async () => {
    const error = await loadError({
      ...WEIR,
      'models/Orders.sql': 'select 1 as x',
      'models/staging/orders.ts': "import { defineAsset } from 'weir';\nexport const orders = defineAsset({ run: () => [] });\n",
    });
    expectError(error, 'ASSET_DUPLICATE', 'models/staging/orders.ts:2:', 'models/Orders.sql:1');
  });

  test('a declared input that is not an asset', async () => {
    const error = await loadError({ ...WEIR, 'models/orders.sql': 'select 1 as x', 'models/b.sql': '/*---\ninputs:\n  - ordres\n---*/\nselect 1 as y\n' });
    expectError(error, 'ASSET_UNKNOWN', 'models/b.sql:3:5:', 'declares input "ordres"', 'did you mean "orders"?');
  });

  test('several problems are reported together, sorted by file and line', async () => {
    const error = await loadError({
      ...WEIR,
      'models/b.sql': '/*---\nowners: x\n---*/\nselect 1 as x\n',
      'models/a.sql': '/*---\nchecks:\n  - not_nul: x\n---*/\nselect 1 as x\n',
    });
    expect(error).toBeInstanceOf(ProjectProblems);
    expect((error as ProjectProblems).problems.map((problem) => problem.location?.file)).toEqual(['models/a.sql', 'models/b.sql']);
    expect(error.code).toBe('CONFIG_UNKNOWN_KEY');
    expect(error.message).toMatch(/2 problems in the project:\n {2}models\/a\.sql:3:5: unknown check type "not_nul"[\s\S]*\n {2}models\/b\.sql:2:1: unknown key "owners"/);
  });
});
