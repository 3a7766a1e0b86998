/**
 * The data tests declared in a dbt package's integration `schema.yml` files, one case per
 * declaration, with the outcome upstream expects on its seeds.
 *
 * dbt runs every test expecting it to pass. A negative case is written with a threshold that
 * inverts the verdict: dbt-utils uses `error_if: "<1"` (with `warn_if: "<0"`), dbt-expectations
 * `error_if: "=0"` or `fail_calc: 'cast((count(*)=0) as int)'`. Those cases must FIND failing
 * rows, so the equivalent Weir check must fail.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** One test declaration. */
export interface DbtTestCase {
  /** `dbt_utils.accepted_range`, `dbt_expectations.expect_column_values_to_be_unique`, ... */
  type: string;
  /** The model or seed the test is declared on. */
  model: string;
  /** The column, for column-level tests. */
  column?: string;
  /** Test arguments, without dbt's configuration keys. */
  args: Record<string, unknown>;
  /** `config:` merged with configuration keys written beside the arguments (`where`, `severity`, ...). */
  config: Record<string, unknown>;
  /** What upstream expects on its data. */
  expect: 'pass' | 'fail';
  /** `<model>[.<column>] #<n>`: the n-th test of that node, stable across runs. */
  title: string;
}

/** dbt configuration keys that may be written beside a test's arguments. */
const CONFIG_KEYS = new Set(['config', 'where', 'severity', 'error_if', 'warn_if', 'enabled', 'tags', 'fail_calc', 'limit', 'store_failures', 'meta']);

/**
 * True when the thresholds make the test pass only if it finds failing rows.
 *
 * @example
 * ```ts
 * expectsFailure({ error_if: '<1', warn_if: '<0' }); // true
 * ```
 */
export function expectsFailure(config: Record<string, unknown>): boolean {
  const errorIf = typeof config.error_if === 'string' ? config.error_if.replace(/\s+/g, '') : undefined;
  if (errorIf === '<1' || errorIf === '=0') return true;
  return typeof config.fail_calc === 'string' && /count\(\*\)\s*=\s*0/.test(config.fail_calc);
}

interface YamlNode {
  name?: string;
  tests?: unknown[];
  data_tests?: unknown[];
  columns?: YamlNode[];
}

function testsOf(node: YamlNode): unknown[] {
  return [...(node.data_tests ?? []), ...(node.tests ?? [])];
}

function toCase(entry: unknown, model: string, column: string | undefined, index: number): DbtTestCase | undefined {
  let type: string;
  let raw: Record<string, unknown> = {};
  if (typeof entry === 'string') {
    type = entry;
  } else if (entry !== null && typeof entry === 'object' && Object.keys(entry).length === 1) {
    const [key, value] = Object.entries(entry)[0] as [string, unknown];
    type = key;
    raw = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } else {
    return undefined;
  }
  const args: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'config' && value !== null && typeof value === 'object') Object.assign(config, value);
    else if (CONFIG_KEYS.has(key)) config[key] = value;
    else args[key] = value;
  }
  const node = column === undefined ? model : `${model}.${column}`;
  return { type, model, ...(column === undefined ? {} : { column }), args, config, expect: expectsFailure(config) ? 'fail' : 'pass', title: `${node} #${index}` };
}

/**
 * The test cases of one `schema.yml` (its `models:` and `seeds:`), with the package prefix kept.
 *
 * @example
 * ```ts
 * readDbtTests(readFileSync('dbt_utils/models/generic_tests/schema.yml', 'utf8'));
 * // [{ type: 'dbt_utils.not_constant', model: 'data_test_not_constant', column: 'field', expect: 'pass', ... }, ...]
 * ```
 */
export function readDbtTests(yamlText: string): DbtTestCase[] {
  const document = parseYaml(yamlText) as { models?: YamlNode[]; seeds?: YamlNode[] } | null;
  const cases: DbtTestCase[] = [];
  for (const node of [...(document?.models ?? []), ...(document?.seeds ?? [])]) {
    const model = String(node.name);
    testsOf(node).forEach((entry, index) => {
      const found = toCase(entry, model, undefined, index + 1);
      if (found !== undefined) cases.push(found);
    });
    for (const column of node.columns ?? []) {
      testsOf(column).forEach((entry, index) => {
        const found = toCase(entry, model, String(column.name), index + 1);
        if (found !== undefined) cases.push(found);
      });
    }
  }
  return cases;
}

/**
 * The test cases of several `schema.yml` files.
 *
 * @example
 * ```ts
 * readDbtTestFiles(['dbt_utils/models/generic_tests/schema.yml']); // one case per declaration
 * ```
 */
export function readDbtTestFiles(files: readonly string[]): DbtTestCase[] {
  return files.flatMap((file) => readDbtTests(readFileSync(file, 'utf8')));
}

/**
 * Whether a test's `enabled:` lets it run on the adapter Weir acts as. dbt-expectations gates
 * cases with `{{ target.type in [...] }}` / `not in`; those are evaluated for `targetType`.
 *
 * @example
 * ```ts
 * enabledFor({ enabled: "{{ target.type not in ['bigquery', 'spark'] }}" }, 'duckdb'); // true
 * ```
 */
export function enabledFor(config: Record<string, unknown>, targetType: string): boolean {
  const enabled = config.enabled;
  if (enabled === undefined || enabled === true) return true;
  if (enabled === false) return false;
  if (typeof enabled !== 'string') return true;
  const match = /^\{\{\s*target\.type\s+(not\s+)?in\s+\[([^\]]*)\]\s*\}\}$/.exec(enabled.trim());
  if (match === null) return true;
  const listed = (match[2] ?? '')
    .split(',')
    .map((item) => item.trim().replace(/^['"]|['"]$/g, ''))
    .filter((item) => item !== '');
  return listed.includes(targetType) !== (match[1] !== undefined);
}
