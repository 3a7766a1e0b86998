/**
 * Runs the integration tests of dbt-utils and dbt-expectations against Weir: the package's seeds
 * and models are built as tables (`dbt-models.ts`), each declared test that has a Weir equivalent
 * is mapped (`dbt-mapping.ts`), parsed by Weir's check parser and evaluated on the model it is
 * declared on, and Weir's verdict is compared with what upstream expects (`dbt-cases.ts`).
 *
 * The harness acts as dbt's `duckdb` adapter for `enabled: "{{ target.type ... }}"` gates.
 */
import { join } from 'node:path';
import type { EngineAdapter } from '../../engines/engine-adapter.js';
import { messageOf } from '../../errors/weir-error.js';
import { parseChecks } from '../../project/check-parser.js';
import { checkDialectFor } from '../check-dialect.js';
import { evaluateChecks } from '../evaluate-checks.js';
import type { CaseResult, UnmappedGroup } from './conformance-report.js';
import { enabledFor, readDbtTestFiles, type DbtTestCase } from './dbt-cases.js';
import { DBT_MAPPINGS, DBT_UNMAPPED } from './dbt-mapping.js';
import { buildDbtProject, filesBelow } from './dbt-models.js';

/** Settings of a run. */
export interface DbtHarnessOptions {
  engine: EngineAdapter;
  /** Schema the seeds and models are built in; it must exist. */
  schema: string;
  /** The frozen clock: models relative to "now" are rendered with it and freshness is judged by it. */
  now: Date;
  /** The dbt adapter the harness acts as, for `enabled:` gates. */
  targetType?: string;
}

/** Everything a run found. */
export interface DbtHarnessResult {
  results: CaseResult[];
  unmapped: UnmappedGroup[];
}

/**
 * Runs every declared test of one package folder (`dbt_utils` or `dbt_expectations`).
 *
 * @example
 * ```ts
 * const { results } = await runDbtPackage('/work/shared/conformance/dbt_utils', { engine, schema: 'dbt_utils', now });
 * ```
 */
export async function runDbtPackage(folder: string, options: DbtHarnessOptions): Promise<DbtHarnessResult> {
  const { engine, schema, now } = options;
  const targetType = options.targetType ?? engine.kind;
  const built = await buildDbtProject(engine, schema, folder, { now });
  const cases = dbtCasesOf(folder);
  const results: CaseResult[] = [];
  const unmappedCounts = new Map<string, number>();
  const session = await engine.session();
  try {
    for (const test of cases) {
      const mapping = DBT_MAPPINGS[test.type];
      if (mapping === undefined) {
        unmappedCounts.set(test.type, (unmappedCounts.get(test.type) ?? 0) + 1);
        continue;
      }
      const result = (status: CaseResult['status'], reason?: string): CaseResult => ({ group: test.type, title: test.title, status, ...(reason === undefined ? {} : { reason }) });
      if (!enabledFor(test.config, targetType)) {
        results.push(result('skipped', `disabled for ${targetType}`));
        continue;
      }
      const mapped = mapping.map(test, { now });
      if (mapped.kind === 'unsupported') {
        results.push(result('unsupported', mapped.reason));
        continue;
      }
      if (!built.relations.has(test.model)) {
        results.push(result('failed', `the model ${test.model} could not be built: ${built.failures.get(test.model) ?? 'not found'}`));
        continue;
      }
      const { checks, issues } = parseChecks(mapped.checks, ['checks']);
      if (issues.length > 0) {
        results.push(result('failed', `Weir rejected it at load: ${issues.map((issue) => issue.message).join('; ')}`));
        continue;
      }
      try {
        const evaluation = await evaluateChecks(checks, {
          session,
          dialect: checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name)),
          target: { relationSql: engine.quoteRelation({ schema, name: test.model }), asset: test.model, relationOf: (asset) => engine.quoteRelation({ schema, name: asset }) },
          columns: (await engine.describe({ schema, name: test.model })) ?? [],
          now,
        });
        const passed = evaluation.outcomes.every((outcome) => outcome.passed);
        const details = evaluation.outcomes.map((outcome) => outcome.detail).join(' | ');
        const agrees = passed === (test.expect === 'pass');
        results.push(agrees ? result('passed') : result('failed', `expected to ${test.expect}; Weir ${passed ? 'passed' : 'failed'} (${details})`));
      } catch (error) {
        results.push(result('failed', `Weir could not evaluate it: ${messageOf(error)}`));
      }
    }
  } finally {
    await session.close();
  }
  const unmapped = [...unmappedCounts].map(([group, count]) => ({ group, cases: count, reason: DBT_UNMAPPED[group] ?? 'not mapped yet' }));
  return { results, unmapped };
}

/**
 * The declared test cases of a package folder (every `schema.yml` below `data/` and `models/`).
 *
 * @example
 * ```ts
 * dbtCasesOf('/work/shared/conformance/dbt_expectations').filter((test) => test.expect === 'fail').length;
 * ```
 */
export function dbtCasesOf(folder: string): DbtTestCase[] {
  return readDbtTestFiles([...filesBelow(join(folder, 'data'), 'schema.yml'), ...filesBelow(join(folder, 'models'), 'schema.yml')]);
}
