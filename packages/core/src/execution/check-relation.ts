/**
 * Evaluating an asset's checks on one relation from inside a run or a `weir check`: the bridge
 * between the engine-neutral check engine (`checks/`) and a live engine session, with the step's
 * abort signal (timeouts, Ctrl-C) able to interrupt the query running.
 */
import { checkDialectFor, withColumnTypes } from '../checks/check-dialect.js';
import { columnMetricRequests, defaultFreshnessColumn } from '../checks/column-metrics.js';
import { evaluateChecks, type CheckContext, type CheckEvaluation } from '../checks/evaluate-checks.js';
import type { CheckSpec } from '../definitions/check-spec.js';
import type { EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import { withAbort } from '../engines/with-abort.js';
import { environmentView } from '../plan/physical-names.js';
import { defaultMonitors, spcJudge, type MetricHistory } from './spc-judge.js';

/** What checking a relation needs to know. */
export interface RelationCheckOptions {
  engine: EngineAdapter;
  /** The environment whose published versions other assets are read from. */
  environment: string;
  asset: string;
  relation: RelationRef;
  signal: AbortSignal;
  /** Measure the build metrics too (a full build or a `weir check`; not the staged rows of an incremental build). */
  measureMetrics: boolean;
  now?: Date;
  lastChangeAt?: CheckContext['lastChangeAt'];
  /** Recorded metrics, for spc checks; without it they cannot be judged. */
  history?: MetricHistory;
  runId?: string;
  /** The partition checked (a partitioned asset's slice): spc checks judge it against the other partitions. */
  partition?: string;
  /** Add the default volume and freshness monitors (builds of table-like assets). */
  defaultMonitors?: boolean;
  /** Seconds the build took, recorded as the `build_seconds` metric. */
  buildSeconds?: number;
}

/**
 * Evaluates `checks` on `options.relation`.
 *
 * @example
 * ```ts
 * const evaluation = await checkRelation(asset.checks, { engine, environment: 'prod', asset: 'orders', relation, signal, measureMetrics: true });
 * ```
 */
export async function checkRelation(declared: readonly CheckSpec[], options: RelationCheckOptions): Promise<CheckEvaluation> {
  const { engine } = options;
  const columns = await engine.describe(options.relation);
  const plain = checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name));
  const dialect = columns === undefined ? plain : withColumnTypes(plain, columns);
  // The freshness lag follows the column a freshness check names, else the first timestamp column.
  const freshness = declared.find((check) => check.type === 'freshness' && check.column !== undefined);
  const freshnessColumn = freshness?.type === 'freshness' ? freshness.column : columns === undefined ? undefined : defaultFreshnessColumn(columns);
  const checks = options.defaultMonitors === true && options.measureMetrics ? [...declared, ...defaultMonitors(declared, freshnessColumn !== undefined)] : declared;
  const now = options.now ?? new Date();
  const session = await engine.session();
  try {
    return await withAbort(options.signal, () => session.interrupt(), () =>
      evaluateChecks(checks, {
        session,
        dialect,
        target: {
          relationSql: engine.quoteRelation(options.relation),
          asset: options.asset,
          relationOf: (other) => engine.quoteRelation(environmentView(options.environment, other)),
        },
        ...(columns === undefined ? {} : { columns }),
        ...(options.measureMetrics && columns !== undefined ? { metrics: columnMetricRequests(columns, dialect, freshnessColumn, distinctRateColumns(checks)) } : {}),
        now,
        ...(options.buildSeconds === undefined ? {} : { knownMetrics: [{ metric: 'build_seconds', value: options.buildSeconds }] }),
        ...(options.lastChangeAt === undefined ? {} : { lastChangeAt: options.lastChangeAt }),
        ...(options.history === undefined ? {} : { judgeSpc: spcJudge(options.history, options.asset, now, options.runId, options.partition) }),
      }),
    );
  } finally {
    await session.close();
  }
}

/** Columns whose distinct rate an spc check watches: the only ones it is measured on. */
function distinctRateColumns(checks: readonly CheckSpec[]): Set<string> {
  return new Set(checks.flatMap((check) => (check.type === 'spc' && check.metric === 'distinct_rate' && check.column !== undefined ? [check.column] : [])));
}
