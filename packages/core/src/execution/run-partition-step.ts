/**
 * One partition of a partitioned asset, write-audit-publish: stage the partition's slice (a SQL
 * model's query filtered to it, or a TypeScript asset's rows for it), check
 * it (metrics measured on the slice, recorded under the partition key), and only when no `error`
 * check failed, replace the partition's rows in the version's table in one transaction. A failed
 * check leaves the published partition exactly as it was. The environment's view points at the
 * version's table, which holds every partition built so far.
 */
import { WeirError } from '../errors/weir-error.js';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import { publishPartition, stagePartition, type StagedPartition } from '../materialize/materialize-partition.js';
import type { PartitionWindow } from '../partitions/partition-spec.js';
import type { PlanStep } from '../plan/build-plan.js';
import { environmentView, physicalRelation } from '../plan/physical-names.js';
import type { PartitionedAsset } from '../project/project-model.js';
import { locateModelError } from './locate-model-error.js';
import { metricsEvent } from './metrics-event.js';
import { recordError } from './record-error.js';
import { stageTypeScriptPartition } from './stage-typescript-partition.js';
import type { StepContext, StepOutcome } from './run-step.js';
import { blockingFailures, check, checkResultEvents, stepSignal } from './step-checks.js';
import { attemptsFor, isPermanent, waitBeforeRetry } from './step-retry.js';
import { viewReads } from './view-reads.js';

/**
 * Builds, checks and publishes one partition, recording `partition_*` events beside the step's.
 * A failed attempt is tried again as a whole-asset build would be (the asset's `retries`, with
 * backoff); a failed check is a result, never retried.
 *
 * @example
 * ```ts
 * const outcome = await runPartitionStep({ ...step, partition: partitionWindow(spec, '2026-03-01') }, context);
 * ```
 */
export async function runPartitionStep(step: PlanStep & { partition: PartitionWindow }, context: StepContext): Promise<StepOutcome> {
  const asset = step.asset as PartitionedAsset;
  const window = step.partition;
  const base = { runId: context.runId, asset: asset.name, version: step.version };
  const tag = { partition: window.key, ...(context.backfillId === undefined ? {} : { backfillId: context.backfillId }) };
  const cancelled = () => context.emit([{ type: 'partition_failed', at: eventTime(), ...base, ...tag, status: 'cancelled', detail: 'the run was cancelled' }]);
  const started = Date.now();
  // On record before anything is written: after a crash the partition shows as interrupted.
  await context.emit([{ type: 'step_started', at: eventTime(), ...base, attempt: 1 }, { type: 'partition_started', at: eventTime(), ...base, ...tag }], { durable: true });
  const maxAttempts = attemptsFor(asset, context);
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await context.emit([{ type: 'step_started', at: eventTime(), ...base, attempt }]);
    try {
      return await attemptPartition(step, context, { attempt, started });
    } catch (error) {
      if (context.signal.aborted) {
        await context.emit([{ type: 'step_cancelled', at: eventTime(), runId: context.runId, asset: asset.name }]);
        await cancelled();
        return 'cancelled';
      }
      if (attempt < maxAttempts && !isPermanent(error)) {
        if (await waitBeforeRetry(context, base, attempt, error)) continue;
        await cancelled();
        return 'cancelled';
      }
      const recorded = recordError(error);
      await context.emit([
        { type: 'partition_failed', at: eventTime(), ...base, ...tag, status: 'failed', detail: recorded.message },
        { type: 'step_failed', at: eventTime(), ...base, attempts: attempt, error: recorded },
      ]);
      return 'failed';
    }
  }
}

/**
 * One attempt: stage the slice, check it, publish it or hold it back. Throws when the build
 * fails (a timeout as the step's timeout error); the caller decides whether to try again.
 */
async function attemptPartition(step: PlanStep & { partition: PartitionWindow }, context: StepContext, { attempt, started }: { attempt: number; started: number }): Promise<'succeeded' | 'blocked'> {
  const asset = step.asset as PartitionedAsset;
  const window = step.partition;
  const physical = physicalRelation(asset.name, step.version);
  const base = { runId: context.runId, asset: asset.name, version: step.version };
  const tag = { partition: window.key, ...(context.backfillId === undefined ? {} : { backfillId: context.backfillId }) };
  const { signal, dispose } = stepSignal(context, asset.name, asset.timeoutSeconds ?? context.project.defaults.timeoutSeconds);
  let staged: StagedPartition | undefined;
  try {
    staged = await stageSlice(step, context, signal);
    const evaluation = await check(context, { asset: asset.name, checks: asset.checks, relation: staged.staging, signal, measureMetrics: true, buildStarted: started, partition: window.key });
    const at = eventTime();
    const events: WeirEvent[] = checkResultEvents(evaluation, { at, ...base, partition: window.key });
    if (evaluation.metrics.length > 0) events.push({ ...metricsEvent(evaluation, { at, ...base, buildSeconds: (Date.now() - started) / 1000 }), partition: window.key });
    const blocking = blockingFailures(evaluation).map((outcome) => outcome.check.name);
    if (blocking.length > 0) {
      const error = new WeirError('CHECK_FAILED', `partition ${window.key}: ${blocking.length} check(s) failed: ${blocking.join(', ')}; its published rows are unchanged`);
      events.push(
        { type: 'partition_failed', at, ...base, ...tag, status: 'blocked', detail: error.message },
        { type: 'step_failed', at, ...base, attempts: attempt, error: recordError(error) },
      );
      await context.emit(events);
      return 'blocked';
    }
    if (context.signal.aborted) throw context.signal.reason;
    await publishPartition(context.engine, physical, staged, signal);
    const rows = evaluation.rows ?? (await context.engine.rowCount(staged.staging));
    const known = (await context.history?.versions(asset.name))?.some((version) => version.version === step.version) ?? false;
    if (!known) {
      events.unshift({
        type: 'asset_materialized',
        at,
        ...base,
        physicalSchema: physical.schema,
        physicalName: physical.name,
        materialization: 'table',
        rows: null,
        durationMs: Date.now() - started,
        inputVersions: step.inputVersions,
      });
    }
    // The version is on record before a view reads it, so gc never drops a table a view serves.
    await context.emit(events, { durable: true });
    const view = environmentView(context.environment, asset.name);
    const published = (await context.engine.viewDefinitions(context.environment)).get(asset.name);
    const after: WeirEvent[] = [];
    if (!viewReads(published, physical.name)) {
      await context.engine.pointView(view, physical);
      after.push({ type: 'asset_published', at: eventTime(), ...base, environment: context.environment, previousVersion: step.currentVersion, reason: 'build' });
    }
    const warnings = evaluation.outcomes.filter((outcome) => !outcome.passed && outcome.severity === 'warn').length;
    after.push(
      { type: 'partition_published', at: eventTime(), ...base, ...tag, rows },
      { type: 'step_succeeded', at: eventTime(), ...base, rows, durationMs: Date.now() - started, warnings },
    );
    await context.emit(after);
    return 'succeeded';
  } catch (thrown) {
    // The step's own timeout reads better than the interrupted query's error.
    throw signal.aborted && !context.signal.aborted ? signal.reason : thrown;
  } finally {
    dispose();
    if (staged !== undefined) await context.engine.drop(staged.staging, 'table').catch(() => undefined);
  }
}

/**
 * The partition's slice in a staging table: a SQL model's query filtered to the slice, or a
 * TypeScript asset's rows for the partition, refused when any falls outside it.
 */
async function stageSlice(step: PlanStep & { partition: PartitionWindow }, context: StepContext, signal: AbortSignal): Promise<StagedPartition> {
  const asset = step.asset as PartitionedAsset;
  const target = { engine: context.engine, physical: physicalRelation(asset.name, step.version), inputVersions: step.inputVersions, signal, runId: context.runId, window: step.partition };
  if (asset.kind === 'typescript') {
    return stageTypeScriptPartition(asset, { ...target, projectRoot: context.project.root, log: (message) => context.log(asset.name, message), onRows: (rows) => context.progress(asset.name, rows) });
  }
  try {
    return await stagePartition(asset, { ...target, environment: context.environment });
  } catch (error) {
    throw locateModelError(asset, error);
  }
}
