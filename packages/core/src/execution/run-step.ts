/**
 * One step of a run: build the asset's new version (with retries and a timeout), check it, and
 * publish it by switching the environment's view, or hold it back when an `error` check failed.
 * Every outcome is recorded as events; a failed check is a result, not an exception.
 */
import { ingestTable } from '../connectors/ingest-table.js';
import { loadFileSource } from '../connectors/files/load-file-source.js';
import { openConnector } from '../connectors/open-connector.js';
import { loadHttpTable } from '../connectors/http/load-http-table.js';
import { loadCdcTable } from '../connectors/postgres-cdc/load-cdc-table.js';
import { loadStreamTable } from '../connectors/streams/load-stream-table.js';
import type { CheckEvaluation } from '../checks/evaluate-checks.js';
import { quarantines } from '../checks/quarantine-sql.js';
import { checkableOnNewRows } from '../definitions/check-spec.js';
import type { EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import { buildModel, mergeIncrementalRows, stageIncrementalRows } from '../materialize/materialize-model.js';
import type { PlanStep } from '../plan/build-plan.js';
import { environmentView, physicalRelation } from '../plan/physical-names.js';
import { isPartitioned } from '../project/is-partitioned.js';
import type { Project } from '../project/project-model.js';
import { runPartitionStep } from './run-partition-step.js';
import { attemptsFor, isPermanent, waitBeforeRetry } from './step-retry.js';
import { blockingFailures, check, checkResultEvents, stepSignal } from './step-checks.js';
import { locateModelError } from './locate-model-error.js';
import { metricsEvent } from './metrics-event.js';
import { buildReplayVersion, countReplayable, quarantineRows, releaseReplayed, type QuarantineResult } from './quarantine-rows.js';
import type { MetricHistory } from './spc-judge.js';
import { recordError } from './record-error.js';
import { runTypeScriptAsset } from './typescript-asset-runner.js';
import { runTypeScriptSource } from './typescript-source-runner.js';
import { viewReads } from './view-reads.js';

/** How a step ended. `unchanged` and `pinned` count as success for downstream steps. */
export type StepOutcome = 'succeeded' | 'unchanged' | 'pinned' | 'failed' | 'blocked' | 'cancelled' | 'skipped';

/** What a step needs from the run. */
export interface StepContext {
  project: Project;
  engine: EngineAdapter;
  runId: string;
  environment: string;
  signal: AbortSignal;
  /**
   * Records events. Most are written behind (group commit); with `durable` the call resolves only
   * once they, and everything recorded before them, are committed.
   */
  emit(events: WeirEvent[], options?: { durable: boolean }): Promise<void>;
  log(asset: string, message: string): void;
  /** Milliseconds before the first retry; doubled each attempt, with jitter. */
  retryDelayMs: number;
  /** Live progress of a running build: rows read (SQL, sources) or written (TypeScript) so far. */
  progress(asset: string, rows: number): void;
  /**
   * Names of the physical relations in the versions schema, listed once when the run starts
   * (only runs, under the project lock, create them). A version the state knows but the
   * warehouse lost is built again.
   */
  existing: Set<string>;
  /** The SQL of each view in the environment's schema, listed once when the run starts. */
  published: Map<string, string>;
  /** Recorded metrics, for spc checks and the default monitors. */
  history?: MetricHistory;
  /** The backfill this run serves, recorded on its partition events. */
  backfillId?: string;
}

/** How often a running build's progress is asked for; often enough for a live line, rarely enough to cost nothing. */
const PROGRESS_INTERVAL_MS = 500;

/**
 * Runs one planned step to its end and records it.
 *
 * @example
 * ```ts
 * const outcome = await runStep(step, context); // 'succeeded' | 'blocked' | ...
 * ```
 */
export async function runStep(step: PlanStep, context: StepContext): Promise<StepOutcome> {
  const { asset } = step;
  const physical = physicalRelation(asset.name, step.version);
  const base = { runId: context.runId, asset: asset.name };
  if (step.action === 'pinned') {
    await context.emit([{ type: 'step_skipped', at: eventTime(), ...base, reason: 'pinned', detail: step.reason, version: step.version }]);
    return 'pinned';
  }
  if (step.action === 'check') return checkPublished(step, physical, context);
  if (step.partition !== undefined) return runPartitionStep({ ...step, partition: step.partition }, context);
  if (isPartitioned(asset)) {
    // Partitioned and no partition asked for: left as it is. Downstream reads what is served, or
    // is skipped when nothing is served yet.
    await context.emit([{ type: 'step_skipped', at: eventTime(), ...base, reason: 'partitioned', detail: step.reason, version: step.version }]);
    return step.currentVersion === null ? 'skipped' : 'unchanged';
  }
  const exists = context.existing.has(physical.name);
  // Unchanged only when the warehouse agrees: an environment view that is missing, or that reads
  // another version (a crash between a view switch and its record), is published again.
  if (step.action === 'unchanged' && exists && viewReads(context.published.get(asset.name), physical.name)) {
    await context.emit([{ type: 'step_skipped', at: eventTime(), ...base, reason: 'unchanged', detail: step.reason, version: step.version }]);
    return 'unchanged';
  }
  // A version the warehouse has but the state does not know (a crash after the build, before its
  // record) is complete when its build was one atomic statement: adopt it instead of rebuilding.
  const adopt = step.action === 'build' && exists && builtAtomically(asset);
  const mustBuild = (step.action === 'build' && !adopt) || !exists;
  const started = Date.now();
  let attempt = 1;
  const maxAttempts = attemptsFor(asset, context);
  for (;;) {
    await context.emit([{ type: 'step_started', at: eventTime(), ...base, version: step.version, attempt }]);
    // The timeout covers the whole attempt, checks included; Ctrl-C (the run's signal) too.
    const { signal, dispose } = stepSignal(context, asset.name, asset.timeoutSeconds ?? context.project.defaults.timeoutSeconds);
    try {
      const evaluation = mustBuild ? await buildAndCheck(step, physical, context, signal) : await check(context, { asset: asset.name, checks: asset.checks, relation: physical, signal, measureMetrics: asset.materialization !== 'view' });
      const record = mustBuild || adopt ? materializedEvent(step, physical, context, started, evaluation.rows) : undefined;
      return await publishOrBlock(step, physical, evaluation, context, started, record);
    } catch (thrown) {
      const error = signal.aborted && !context.signal.aborted ? signal.reason : thrown;
      if (context.signal.aborted) {
        await context.emit([{ type: 'step_cancelled', at: eventTime(), ...base }]);
        return 'cancelled';
      }
      if (attempt < maxAttempts && !isPermanent(error)) {
        if (!(await waitBeforeRetry(context, base, attempt, error))) return 'cancelled';
        attempt += 1;
        continue;
      }
      await context.emit([{ type: 'step_failed', at: eventTime(), ...base, version: step.version, attempts: attempt, error: recordError(error) }]);
      return 'failed';
    } finally {
      dispose();
    }
  }
}

/**
 * A `weir check` step: the published version's checks, recorded like a build's. A failed `error`
 * check fails the step (the data being served breaks a rule) but changes nothing: the version
 * stays published, since there is no better one to serve.
 */
async function checkPublished(step: PlanStep, physical: RelationRef, context: StepContext): Promise<StepOutcome> {
  const { asset } = step;
  const base = { runId: context.runId, asset: asset.name, version: step.version };
  const started = Date.now();
  await context.emit([{ type: 'step_started', at: eventTime(), ...base, attempt: 1 }]);
  const { signal, dispose } = stepSignal(context, asset.name, asset.timeoutSeconds ?? context.project.defaults.timeoutSeconds);
  try {
    // Metrics are measured (spc checks judge them) but not recorded: they belong to the build.
    const evaluation = await check(context, { asset: asset.name, checks: asset.checks, relation: physical, signal, measureMetrics: true });
    const events = checkResultEvents(evaluation, { at: eventTime(), ...base });
    const failed = blockingFailures(evaluation).map((outcome) => outcome.check.name);
    const warnings = evaluation.outcomes.filter((outcome) => !outcome.passed && outcome.severity === 'warn').length;
    if (failed.length > 0) {
      const error = new WeirError('CHECK_FAILED', `${failed.length} check(s) failed on the published version: ${failed.join(', ')}`);
      events.push({ type: 'step_failed', at: eventTime(), ...base, attempts: 1, error: recordError(error) });
    } else {
      events.push({ type: 'step_succeeded', at: eventTime(), ...base, rows: evaluation.rows, durationMs: Date.now() - started, warnings });
    }
    await context.emit(events);
    return failed.length > 0 ? 'failed' : 'succeeded';
  } catch (thrown) {
    const error = signal.aborted && !context.signal.aborted ? signal.reason : thrown;
    if (context.signal.aborted) {
      await context.emit([{ type: 'step_cancelled', at: eventTime(), runId: context.runId, asset: asset.name }]);
      return 'cancelled';
    }
    await context.emit([{ type: 'step_failed', at: eventTime(), ...base, attempts: 1, error: recordError(error) }]);
    return 'failed';
  } finally {
    dispose();
  }
}

/** A quarantining check passes on what is published; its result says how many rows it held back. */
function withQuarantineDetail(evaluation: BuildResult): CheckEvaluation {
  const held = evaluation.quarantined;
  if (held === undefined) return evaluation;
  const table = `${held.table.schema}.${held.table.name}`;
  const outcomes = evaluation.outcomes.map((outcome) => {
    const count = held.counts[outcome.check.name];
    if (count === undefined) return outcome;
    return { ...outcome, failingRows: count, detail: `${count} row(s) quarantined to ${table}; ${outcome.detail}` };
  });
  return { ...evaluation, outcomes };
}

/** A build's check results, and the rows it quarantined. */
type BuildResult = CheckEvaluation & { quarantined?: QuarantineResult };

async function buildAndCheck(step: PlanStep, physical: RelationRef, context: StepContext, signal: AbortSignal): Promise<BuildResult> {
  const { asset } = step;
  const buildStarted = Date.now();
  let quarantined: QuarantineResult | undefined;
  const hold = (relation: RelationRef) =>
    quarantineRows(asset.checks, { engine: context.engine, environment: context.environment, asset: asset.name, relation, runId: context.runId, version: step.version });
  const target = { engine: context.engine, physical, inputVersions: step.inputVersions, environment: context.environment, signal };
  let staged: CheckEvaluation | undefined;
  const poll = setInterval(() => {
    const progress = context.engine.statementProgress?.(signal);
    if (progress) context.progress(asset.name, progress.rowsRead);
  }, PROGRESS_INTERVAL_MS);
  poll.unref();
  try {
    if (asset.kind === 'source') {
      const note = await loadFileSource(asset, { ...target, version: step.version, basedOn: step.basedOn, projectRoot: context.project.root });
      if (note !== undefined) context.log(asset.name, note);
    } else if (asset.kind === 'database' && asset.cdc !== undefined) {
      const loaded = await loadCdcTable(asset, { engine: context.engine, physical, runId: context.runId, signal, onProgress: (progress) => context.progress(asset.name, progress.copied + progress.changes) });
      const copied = loaded.copied > 0 ? `copied ${loaded.copied} row(s), then ` : '';
      const skipped = loaded.skipped > 0 ? ` (${loaded.skipped} already applied, skipped)` : '';
      context.log(asset.name, `${copied}applied ${loaded.changes} change(s) in ${loaded.transactions} transaction(s)${skipped}; at LSN ${loaded.lsn}`);
    } else if (asset.kind === 'database') {
      const connector = await openConnector(asset);
      try {
        const basedOn = step.basedOn === null ? null : physicalRelation(asset.name, step.basedOn);
        const loaded = await ingestTable(asset, connector, { ...target, basedOn });
        const mark = loaded.highWaterMark === null ? '' : `; high-water mark ${loaded.highWaterMark}`;
        context.log(asset.name, `read ${loaded.rowsRead} row(s) from the ${connector.type} source${basedOn ? ` past the mark of ${step.basedOn}` : ''}${mark}`);
      } finally {
        await connector.close();
      }
    } else if (asset.kind === 'http') {
      const basedOn = step.basedOn === null ? null : physicalRelation(asset.name, step.basedOn);
      const loaded = await loadHttpTable(asset, {
        engine: context.engine,
        physical,
        basedOn,
        runId: context.runId,
        signal,
        log: (message) => context.log(asset.name, message),
        onProgress: (records) => context.progress(asset.name, records),
      });
      const set = loaded.deadLettered > 0 ? `, ${loaded.deadLettered} set aside as dead letters` : '';
      const mark = loaded.highWaterMark === null ? '' : `; high-water mark ${loaded.highWaterMark}`;
      context.log(asset.name, `read ${loaded.records} record(s) in ${loaded.pages} page(s)${basedOn ? ` past the mark of ${step.basedOn}` : ''}${set}${mark}`);
    } else if (asset.kind === 'typescript_source') {
      const basedOn = step.basedOn === null ? null : physicalRelation(asset.name, step.basedOn);
      const log = (message: string) => context.log(asset.name, message);
      const loaded = await runTypeScriptSource(asset, { engine: context.engine, physical, basedOn, projectRoot: context.project.root, runId: context.runId, signal, log, onProgress: (records) => context.progress(asset.name, records) });
      const set = loaded.deadLettered > 0 ? `, ${loaded.deadLettered} set aside as dead letters` : '';
      const mark = loaded.highWaterMark === null ? '' : `; high-water mark ${loaded.highWaterMark}`;
      log(`read ${loaded.records} record(s) in ${loaded.batches} batch(es)${basedOn ? ` past the mark of ${step.basedOn}` : ''}${set}${mark}`);
    } else if (asset.kind === 'stream') {
      const totals = await loadStreamTable(asset, { engine: context.engine, physical, runId: context.runId, signal, onProgress: (progress) => context.progress(asset.name, progress.messages) });
      const set = totals.deadLettered > 0 ? `, ${totals.deadLettered} set aside as dead letters` : '';
      const again = totals.duplicates > 0 ? `, ${totals.duplicates} redelivered and skipped` : '';
      context.log(asset.name, `consumed ${totals.messages} message(s) from the ${asset.connection.type} source in ${totals.batches} batch(es): ${totals.landed} landed${set}${again}`);
    } else if (asset.kind === 'typescript') {
      await runTypeScriptAsset(asset, {
        ...target,
        projectRoot: context.project.root,
        runId: context.runId,
        log: (message) => context.log(asset.name, message),
        onRows: (rows) => context.progress(asset.name, rows),
      });
    } else if (step.action === 'replay' && step.basedOn !== null) {
      await buildReplayVersion(asset.checks, context.engine, context.environment, asset.name, physicalRelation(asset.name, step.basedOn), physical);
    } else if (asset.materialization === 'incremental') {
      const staging = await stageIncrementalRows(asset, { ...target, runId: context.runId, basedOn: step.basedOn });
      try {
        quarantined = await hold(staging);
        // Checks that judge rows one by one judge only the new rows, before anything is merged.
        staged = await check(context, { asset: asset.name, checks: asset.checks.filter(checkableOnNewRows), relation: staging, signal, measureMetrics: false });
        // Nothing merged means no version exists: the results are recorded, no build is.
        if (blockingFailures(staged).length > 0) return { ...staged, rows: null, ...(quarantined === undefined ? {} : { quarantined }) };
        await mergeIncrementalRows(asset, { ...target, basedOn: step.basedOn, staging });
      } finally {
        // Whatever happened, the staged rows have served their purpose (gc sweeps any a crash leaves).
        await context.engine.drop(staging, 'table').catch(() => undefined);
      }
    } else {
      await buildModel(asset, target);
    }
    if (asset.materialization !== 'incremental' && asset.materialization !== 'view' && step.action !== 'replay') quarantined = await hold(physical);
  } catch (error) {
    if (signal.aborted && !context.signal.aborted) throw signal.reason;
    throw asset.kind === 'sql' ? locateModelError(asset, error) : error;
  } finally {
    clearInterval(poll);
  }
  context.existing.add(physical.name);
  const remaining = staged ? asset.checks.filter((spec) => !checkableOnNewRows(spec)) : asset.checks;
  // A view's rows are its query: counting or measuring them runs it whole, so a view without
  // checks measures nothing (its inputs are measured where they are built).
  const evaluation =
    remaining.length === 0 && asset.materialization === 'view'
      ? { rows: null, outcomes: [], metrics: [] }
      : await check(context, { asset: asset.name, checks: remaining, relation: physical, signal, measureMetrics: asset.materialization !== 'view', buildStarted });
  const result: BuildResult = staged ? { ...evaluation, outcomes: [...staged.outcomes, ...evaluation.outcomes] } : evaluation;
  if (quarantined !== undefined) result.quarantined = quarantined;
  return result;
}

/** The record of a new physical version. */
function materializedEvent(step: PlanStep, physical: RelationRef, context: StepContext, started: number, rows: number | null): WeirEvent {
  const { asset } = step;
  return {
    type: 'asset_materialized',
    at: eventTime(),
    runId: context.runId,
    asset: asset.name,
    version: step.version,
    physicalSchema: physical.schema,
    physicalName: physical.name,
    materialization: asset.materialization,
    rows,
    durationMs: Date.now() - started,
    inputVersions: step.inputVersions,
    ...(step.basedOn ? { basedOn: step.basedOn } : {}),
  };
}

/** Builds that are one atomic statement (CREATE ... AS): if the relation exists, it is complete. */
function builtAtomically(asset: PlanStep['asset']): boolean {
  // Quarantine deletes rows after the CREATE: such a table is complete only once recorded.
  if (asset.checks.some(quarantines)) return false;
  // A first `load: new_files` build completes its table in a second transaction: not atomic.
  return (asset.kind === 'source' && asset.newFiles === undefined) || (asset.kind === 'sql' && asset.materialization !== 'incremental');
}

async function publishOrBlock(
  step: PlanStep,
  physical: RelationRef,
  evaluation: BuildResult,
  context: StepContext,
  started: number,
  materialized: WeirEvent | undefined,
): Promise<StepOutcome> {
  const { asset } = step;
  const base = { at: eventTime(), runId: context.runId, asset: asset.name, version: step.version };
  const results = checkResultEvents(withQuarantineDetail(evaluation), base);
  if (evaluation.quarantined !== undefined && evaluation.quarantined.rows > 0) {
    const { table, counts } = evaluation.quarantined;
    results.push({ type: 'rows_quarantined', ...base, table: `${table.schema}.${table.name}`, counts });
  }
  const events = materialized ? [materialized, ...results] : results;
  // Each build adds one point to every metric's series (a re-publication measures nothing new).
  if (materialized && evaluation.metrics.length > 0) events.push(metricsEvent(evaluation, { ...base, buildSeconds: (Date.now() - started) / 1000 }));
  const blocking = blockingFailures(evaluation);
  const warnings = evaluation.outcomes.filter((outcome) => !outcome.passed && outcome.severity === 'warn').length;
  if (blocking.length > 0) {
    events.push({ type: 'asset_blocked', ...base, failedChecks: blocking.map((outcome) => outcome.check.name) });
    await context.emit(events);
    return 'blocked';
  }
  // Nothing is published once the run is cancelled, even a version that is complete and checked.
  if (context.signal.aborted) throw context.signal.reason;
  // A version built in several statements (incremental, TypeScript) is on record before any view
  // reads it: after a crash the next run must not rebuild a table a view serves. One atomic build
  // needs no wait: a complete table the state never heard of is adopted. The switch's own record
  // is written behind: if the process dies first, the next run sees the view serving a version
  // the state does not point at and publishes again, and gc never drops a table a view serves.
  await context.emit(events, { durable: !builtAtomically(asset) });
  await context.engine.pointView(environmentView(context.environment, asset.name), physical);
  if (step.action === 'replay') {
    // Published: the rows it added leave quarantine (a crash before this leaves them in both; never in neither).
    const released = await releaseReplayed(asset.checks, context.engine, context.environment, asset.name);
    const left = await countReplayable(asset.checks, context.engine, context.environment, asset.name);
    await context.emit([{ type: 'quarantine_replayed', ...base, released, stillFailing: left.stillFailing }]);
  }
  await context.emit([
    { type: 'asset_published', ...base, environment: context.environment, previousVersion: step.currentVersion, reason: materialized ? 'build' : 'reuse' },
    { type: 'step_succeeded', ...base, rows: evaluation.rows, durationMs: Date.now() - started, warnings },
  ]);
  return 'succeeded';
}
