/**
 * Running a check plan and judging the results. A failed check is a result, never an exception;
 * only a check that cannot be evaluated at all (bad SQL in an expression) throws, and it names the
 * checks of the query that failed. Failing-row samples are fetched only for checks that failed.
 */
import type { CheckSpec, FreshnessCheck, SpcCheck } from '../definitions/check-spec.js';
import { isRowLevelCheck } from '../definitions/check-spec.js';
import type { ColumnInfo, EngineSession } from '../engines/engine-adapter.js';
import { WeirError, isWeirError, messageOf } from '../errors/weir-error.js';
import type { CheckDialect } from './check-dialect.js';
import type { MetricRequest } from './column-metrics.js';
import { allowedFailures, formatAge, judgeFailingRows, judgeSchema, judgeValue, type CheckMeasures, type CheckOutcome } from './judge-check.js';
import { metricSubject, planChecks, ROWS_SUBJECT, type PlanTarget } from './plan-checks.js';
import { duplicateKeyFacts, fetchSample } from './failing-samples.js';

export type { CheckOutcome } from './judge-check.js';

/** One metric measured on this build. */
export interface MeasuredMetric {
  metric: string;
  column?: string;
  value: number | null;
}

/** The outcomes of all checks of an asset, the row count and the metrics measured on the way. */
export interface CheckEvaluation {
  rows: number | null;
  outcomes: CheckOutcome[];
  metrics: MeasuredMetric[];
}

/** What the judge of an spc check answers. */
export interface SpcVerdict {
  passed: boolean;
  detail: string;
}

/** Everything evaluating an asset's checks needs besides the checks. */
export interface CheckContext {
  session: EngineSession;
  dialect: CheckDialect;
  target: PlanTarget;
  /** The relation's columns, for schema contracts (described once by the caller). */
  columns?: readonly ColumnInfo[];
  /** Metrics to measure in the main scan. */
  metrics?: readonly MetricRequest[];
  /** Metrics known without a query (the build's duration), judged and returned with the measured ones. */
  knownMetrics?: readonly MeasuredMetric[];
  /** The clock for freshness (tests pass their own). */
  now?: Date;
  /** When the asset's content last changed before this evaluation, for `freshness: { expected_every }` without a column. */
  lastChangeAt?: () => Promise<Date | undefined>;
  /** Judges the newest point of a metric series (SPC); spc checks fail as "not judged" without it. */
  judgeSpc?: (check: SpcCheck, value: number | null) => Promise<SpcVerdict>;
}

/**
 * Evaluates `checks` against `context.target` in as few queries as the plan allows.
 *
 * @example
 * ```ts
 * const dialect = checkDialectFor(engine.kind, (n) => engine.quoteIdentifier(n));
 * const { rows, outcomes } = await evaluateChecks(asset.checks, { session, dialect, target: { relationSql, asset: asset.name, relationOf } });
 * const blocking = outcomes.filter((o) => !o.passed && o.severity === 'error');
 * ```
 */
export async function evaluateChecks(checks: readonly CheckSpec[], context: CheckContext): Promise<CheckEvaluation> {
  const { session, dialect } = context;
  await dialect.prepare(session, { parseable: checks.some((check) => check.type === 'parseable') });
  const plan = planChecks(checks, context.metrics ?? [], context.target, dialect);
  const measured = new Map<string, CheckMeasures>();
  let rows = 0;
  const at = (subject: string): CheckMeasures => measured.get(subject) ?? (measured.set(subject, { rows }).get(subject) as CheckMeasures);
  for (const query of plan.queries) {
    let result: Record<string, unknown> | undefined;
    try {
      [result] = await session.query(query.sql, query.params);
    } catch (error) {
      // The warehouse went away (a restart, a dropped connection): no check is to blame, and the
      // caller must see the engine's code to build again once it answers.
      if (isWeirError(error) && error.code === 'ENGINE_UNAVAILABLE') throw error;
      const culprit = query === plan.queries[0] ? await findBrokenCheck(checks, context) : undefined;
      const which = culprit === undefined ? query.purpose : culprit;
      throw new WeirError('SQL_EXECUTION', `check ${which} could not be evaluated: ${messageOf(error)}`, { cause: error, hint: culprit === undefined ? undefined : `fix the SQL of check "${culprit}"` });
    }
    for (const measure of query.measures) {
      const raw = result?.[measure.alias];
      const value = raw === null || raw === undefined ? null : Number(raw);
      if (measure.subject === ROWS_SUBJECT) rows = value ?? 0;
      else if (measure.role === 'value') at(measure.subject).value = value;
      else at(measure.subject)[measure.role] = value ?? 0;
    }
  }
  for (const measures of measured.values()) measures.rows = rows;
  const now = context.now ?? new Date();
  const metrics = [...collectMetrics(context.metrics ?? [], measured, rows, now), ...(context.knownMetrics ?? [])];
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    const outcome = await judge(check, at(check.name), { ...context, now, metrics });
    if (!outcome.passed && outcome.sample === undefined) {
      const sample = await fetchSample(check, context);
      if (sample !== undefined) outcome.sample = sample;
    }
    outcomes.push(outcome);
  }
  return { rows, outcomes, metrics };
}

function collectMetrics(requests: readonly MetricRequest[], measured: Map<string, CheckMeasures>, rows: number, now: Date): MeasuredMetric[] {
  const metrics: MeasuredMetric[] = [{ metric: 'row_count', value: rows }];
  for (const request of requests) {
    let value = measured.get(metricSubject(request.metric, request.column))?.value ?? null;
    // The scan measures the newest timestamp (epoch seconds); the metric is its age.
    if (request.metric === 'freshness_lag_hours' && value !== null) value = (now.getTime() / 1000 - value) / 3600;
    metrics.push({ metric: request.metric, ...(request.column === undefined ? {} : { column: request.column }), value });
  }
  return metrics;
}

type JudgeContext = Omit<CheckContext, 'metrics'> & { now: Date; metrics: MeasuredMetric[] };

async function judge(check: CheckSpec, measures: CheckMeasures, context: JudgeContext): Promise<CheckOutcome> {
  if (isRowLevelCheck(check) || check.type === 'relationships' || check.type === 'custom_sql') {
    return judgeFailingRows(check, measures.failing ?? 0, measures.applicable);
  }
  switch (check.type) {
    case 'unique': {
      // Either the rows of repeated keys were counted (a GROUP BY), or count(DISTINCT) fell short of count().
      const repeated = measures.failing ?? (measures.applicable ?? 0) - (measures.value ?? 0);
      if (repeated <= 0) return judgeFailingRows(check, 0, measures.applicable);
      const facts = await duplicateKeyFacts(check, context);
      const outcome = judgeFailingRows(check, facts.rows, measures.applicable);
      const allowed = check.tolerance === undefined ? '' : `; ${allowedFailures(check.tolerance, measures.applicable ?? 0)} allowed`;
      const detail = `${facts.rows} row(s) share ${facts.keys} duplicated ${check.columns.join(', ')} value(s), of ${measures.applicable ?? 0} checked${allowed}`;
      return { ...outcome, detail, sample: facts.sample };
    }
    case 'distinct_count':
      return judgeValue(check, measures.value ?? 0, `distinct values of ${check.column}`);
    case 'unique_proportion':
      return judgeValue(check, ratio(measures.value ?? 0, measures.applicable ?? 0), `proportion of unique values of ${check.column}`);
    case 'null_proportion':
      return judgeValue(check, ratio(measures.failing ?? 0, measures.applicable ?? 0) ?? 0, `proportion of nulls in ${check.column}`);
    case 'row_count':
      return judgeRowCount(check, measures);
    case 'freshness':
      return judgeFreshness(check, measures, context);
    case 'schema':
      return context.columns === undefined
        ? { check, passed: false, severity: check.severity, failingRows: null, detail: 'the columns of the relation were not available' }
        : judgeSchema(check, context.columns);
    case 'spc':
      return judgeSpcCheck(check, context);
    default:
      return judgeValue(check, measures.value ?? null, `${check.type === 'quantile' ? `quantile ${check.quantile}` : check.type} of ${check.column}`);
  }
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function judgeRowCount(check: Extract<CheckSpec, { type: 'row_count' }>, measures: CheckMeasures): CheckOutcome {
  const other = check.equalTo ?? check.fewerThan;
  if (other === undefined) return judgeValue(check, measures.rows, 'rows');
  const theirs = measures.value ?? 0;
  const passed = check.equalTo !== undefined ? measures.rows === theirs : measures.rows < theirs;
  const relation = check.equalTo !== undefined ? 'equal to' : 'fewer than';
  return { check, passed, severity: check.severity, failingRows: null, observed: measures.rows, detail: `rows: ${measures.rows}, expected ${relation} ${other}'s ${theirs}` };
}

async function judgeFreshness(check: FreshnessCheck, measures: CheckMeasures, context: JudgeContext): Promise<CheckOutcome> {
  const nowSeconds = context.now.getTime() / 1000;
  const limit = check.maxAgeSeconds ?? check.expectedEverySeconds ?? 0;
  let newest: number | undefined;
  let what: string;
  if (check.column !== undefined) {
    newest = measures.value ?? undefined;
    what = `newest ${check.column}`;
  } else {
    newest = (await context.lastChangeAt?.())?.getTime();
    newest = newest === undefined ? undefined : newest / 1000;
    what = 'last new data';
  }
  if (newest === undefined) {
    const passed = check.column === undefined;
    return { check, passed, severity: check.severity, failingRows: null, observed: null, detail: passed ? `${what}: no earlier data to judge` : `${what}: no value (no non-null rows)` };
  }
  const age = nowSeconds - newest;
  return {
    check,
    passed: age <= limit,
    severity: check.severity,
    failingRows: null,
    observed: age,
    detail: `${what} is ${formatAge(age)} old (expected at most ${formatAge(limit)})`,
  };
}

async function judgeSpcCheck(check: SpcCheck, context: JudgeContext): Promise<CheckOutcome> {
  const metric = context.metrics.find((one) => one.metric === check.metric && one.column === check.column);
  const label = check.column === undefined ? check.metric : `${check.metric} of ${check.column}`;
  if (metric === undefined || context.judgeSpc === undefined) {
    return { check, passed: false, severity: check.severity, failingRows: null, detail: `${label} was not measured on this build, so it could not be judged` };
  }
  const verdict = await context.judgeSpc(check, metric.value);
  return { check, passed: verdict.passed, severity: check.severity, failingRows: null, observed: metric.value, detail: verdict.detail };
}

/**
 * The fused scan failed: find the check at fault, so the error names one check rather than twenty.
 * Each check is planned alone and run on no rows (binding errors show without reading data).
 */
async function findBrokenCheck(checks: readonly CheckSpec[], context: CheckContext): Promise<string | undefined> {
  for (const check of checks) {
    const [main] = planChecks([check], [], context.target, context.dialect).queries;
    if (main === undefined) continue;
    try {
      await context.session.query(`SELECT * FROM (${main.sql}) AS probe LIMIT 0`, main.params);
    } catch {
      return check.name;
    }
  }
  return undefined;
}
