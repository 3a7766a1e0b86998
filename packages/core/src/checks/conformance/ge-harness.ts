/**
 * Runs Great Expectations' test definitions against Weir: each dataset becomes a table, each case
 * is mapped to Weir checks (`ge-mapping.ts`), parsed by Weir's own check parser, evaluated by the
 * check engine, and compared with GE's expected result (`ge-judge.ts`).
 *
 * The harness acts as one GE backend for `only_for` / `suppress_test_for`: `sqlite` by default,
 * because Weir pushes checks down to a SQL engine as GE's SQLAlchemy backends do.
 */
import type { CheckSpec } from '../../definitions/check-spec.js';
import type { ColumnInfo, EngineAdapter, EngineSession } from '../../engines/engine-adapter.js';
import { messageOf } from '../../errors/weir-error.js';
import { parseChecks } from '../../project/check-parser.js';
import { checkDialectFor } from '../check-dialect.js';
import { evaluateChecks } from '../evaluate-checks.js';
import type { CaseResult, UnmappedGroup } from './conformance-report.js';
import { runsOnBackend, type GeBackend, type GeDataset, type GeDefinitionFile, type GeNamedTable } from './ge-definitions.js';
import { judgeGeCase, type WeirVerdict } from './ge-judge.js';
import { GE_MAPPINGS, GE_UNMAPPED, mapGeCase } from './ge-mapping.js';
import { createGeTable } from './ge-tables.js';

/** Settings of a harness run. */
export interface GeHarnessOptions {
  engine: EngineAdapter;
  /** Schema the dataset tables are created in; it must exist. */
  schema: string;
  /** The GE backend whose `only_for` / `suppress_test_for` marks apply. */
  backend?: GeBackend;
  /** The clock handed to the check engine. */
  now?: Date;
  /** Called for every judged case with what Weir was given and said (for verbose reports). */
  trace?: (entry: { result: CaseResult; checks: Array<Record<string, unknown>>; verdict: WeirVerdict }) => void;
}

/** Everything a run found. */
export interface GeHarnessResult {
  results: CaseResult[];
  unmapped: UnmappedGroup[];
}

/**
 * Runs every case of `files` against Weir.
 *
 * @example
 * ```ts
 * const { results, unmapped } = await runGreatExpectations(loadGeDefinitions(corpus), { engine, schema: 'main' });
 * console.log(formatReport('Great Expectations', results, unmapped));
 * ```
 */
export async function runGreatExpectations(files: readonly GeDefinitionFile[], options: GeHarnessOptions): Promise<GeHarnessResult> {
  const backend = options.backend ?? 'sqlite';
  const results: CaseResult[] = [];
  const unmapped: UnmappedGroup[] = [];
  const session = await options.engine.session();
  try {
    for (const [fileIndex, file] of files.entries()) {
      const cases = file.datasets.reduce((sum, dataset) => sum + dataset.tests.length, 0);
      if (GE_MAPPINGS[file.expectation_type] === undefined) {
        if (cases > 0) unmapped.push({ group: file.name, cases, reason: GE_UNMAPPED[file.expectation_type] ?? 'not mapped yet' });
        continue;
      }
      for (const [datasetIndex, dataset] of file.datasets.entries()) {
        // Several named tables: the first is the one under test, the others are "other tables".
        const target = Array.isArray(dataset.data) ? ((dataset.data as GeNamedTable[])[0]?.dataset_name ?? '') : `ge_${fileIndex}_${datasetIndex}`;
        const tables = lazyTables({ ...options, session }, dataset, target, backend);
        for (const test of dataset.tests) {
          const result = (status: CaseResult['status'], reason?: string): CaseResult => ({ group: file.name, title: test.title, status, ...(reason === undefined ? {} : { reason }) });
          if (!runsOnBackend(backend, dataset) || !runsOnBackend(backend, test)) {
            results.push(result('skipped', `not for ${backend}`));
            continue;
          }
          const relationSql = options.engine.quoteRelation({ schema: options.schema, name: target });
          const mapping = mapGeCase(file.expectation_type, test.in, { quote: (name) => options.engine.quoteIdentifier(name), relationSql });
          if (mapping === undefined || mapping.kind === 'unsupported') {
            results.push(result('unsupported', mapping?.reason ?? 'no mapping'));
            continue;
          }
          const columns = await tables();
          const verdict = await verdictOf(mapping.checks, { ...options, session, target, columns });
          const { status, reason } = judgeGeCase(test, verdict);
          const judged = result(status, reason);
          results.push(judged);
          options.trace?.({ result: judged, checks: mapping.checks, verdict });
        }
      }
    }
  } finally {
    await session.close();
  }
  return { results, unmapped };
}

/**
 * Creates the dataset's tables the first time a case needs them (most skipped datasets never do)
 * and answers the columns of the table under test, `target`.
 */
function lazyTables(place: { engine: EngineAdapter; session: EngineSession; schema: string }, dataset: GeDataset, target: string, backend: GeBackend): () => Promise<ColumnInfo[]> {
  let created: Promise<ColumnInfo[]> | undefined;
  return () => {
    created ??= (async () => {
      if (!Array.isArray(dataset.data)) return createGeTable(place, target, dataset.data, backend, dataset.schemas);
      let columns: ColumnInfo[] = [];
      for (const table of dataset.data as GeNamedTable[]) {
        const described = await createGeTable(place, table.dataset_name, table.data, backend, table.schemas ?? dataset.schemas);
        if (table.dataset_name === target) columns = described;
      }
      return columns;
    })();
    return created;
  };
}

/** Parses the mapped checks as a user's `checks:` list, then evaluates them. */
async function verdictOf(
  items: Array<Record<string, unknown>>,
  context: GeHarnessOptions & { session: EngineSession; target: string; columns: ColumnInfo[] },
): Promise<WeirVerdict> {
  const { checks, issues } = parseChecks(items, ['checks']);
  if (issues.length > 0) return { kind: 'rejected', stage: 'load', message: issues.map((issue) => issue.message).join('; ') };
  return evaluateParsed(checks, context);
}

async function evaluateParsed(checks: CheckSpec[], context: GeHarnessOptions & { session: EngineSession; target: string; columns: ColumnInfo[] }): Promise<WeirVerdict> {
  const { engine, schema, session, target, columns } = context;
  try {
    const evaluation = await evaluateChecks(checks, {
      session,
      dialect: checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name)),
      target: { relationSql: engine.quoteRelation({ schema, name: target }), asset: target, relationOf: (asset) => engine.quoteRelation({ schema, name: asset }) },
      columns,
      now: context.now ?? new Date(),
    });
    return { kind: 'evaluated', outcomes: evaluation.outcomes };
  } catch (error) {
    return { kind: 'rejected', stage: 'evaluation', message: messageOf(error) };
  }
}

