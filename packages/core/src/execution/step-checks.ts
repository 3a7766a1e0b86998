/**
 * What every kind of step shares around its build: the step's signal (the run's, plus its
 * timeout), evaluating checks on a relation, and the events of their results.
 */
import type { CheckEvaluation } from '../checks/evaluate-checks.js';
import type { CheckSpec } from '../definitions/check-spec.js';
import type { RelationRef } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import type { WeirEvent } from '../events/weir-event.js';
import { checkRelation } from './check-relation.js';
import type { StepContext } from './run-step.js';

/** One `check_evaluated` event per outcome. */
export function checkResultEvents(evaluation: CheckEvaluation, base: { at: string; runId: string; asset: string; version: string; partition?: string }): WeirEvent[] {
  return evaluation.outcomes.map((outcome) => ({
    type: 'check_evaluated',
    ...base,
    check: outcome.check.name,
    checkType: outcome.check.type,
    severity: outcome.severity,
    passed: outcome.passed,
    failingRows: outcome.failingRows,
    detail: outcome.detail,
    ...(outcome.sample ? { sample: outcome.sample } : {}),
  }));
}


/** A signal that aborts with the run, or with a timeout error after `seconds`; dispose it when done. */
export function stepSignal(context: StepContext, assetName: string, seconds: number): { signal: AbortSignal; dispose: () => void } {
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new WeirError('STEP_TIMEOUT', `${assetName} did not finish within ${seconds} s and was stopped`, { hint: 'raise timeout_seconds for this asset' })),
    seconds * 1000,
  );
  timer.unref();
  return { signal: AbortSignal.any([context.signal, timeout.signal]), dispose: () => clearTimeout(timer) };
}


/** What to check, where, and what to measure on the way. */
export interface CheckRequest {
  asset: string;
  checks: CheckSpec[];
  relation: RelationRef;
  signal: AbortSignal;
  /** Measure the build metrics (a built table; not a view, not the staged rows of an incremental build). */
  measureMetrics: boolean;
  /** When the build began, for `build_seconds`; absent when nothing was built. */
  buildStarted?: number;
  /** The partition checked, when the relation is one partition's slice. */
  partition?: string;
}

/** Evaluates checks on one relation; an abort of `signal` (timeout, Ctrl-C) interrupts the query running. */
export function check(context: StepContext, request: CheckRequest): Promise<CheckEvaluation> {
  const { asset, checks, relation, signal, measureMetrics, buildStarted } = request;
  return checkRelation(checks, {
    ...(buildStarted === undefined ? {} : { buildSeconds: (Date.now() - buildStarted) / 1000 }),
    engine: context.engine,
    environment: context.environment,
    asset,
    relation,
    signal,
    measureMetrics,
    runId: context.runId,
    defaultMonitors: true,
    ...(context.history === undefined ? {} : { history: context.history }),
    ...(request.partition === undefined ? {} : { partition: request.partition }),
    lastChangeAt: () => lastChangeAt(context, asset, buildStarted),
  });
}

/**
 * When the asset's content last changed, for `freshness: { expected_every }`: a build is new
 * content now; otherwise (a `weir check`, a re-publication) the newest version's build time.
 */
async function lastChangeAt(context: StepContext, asset: string, buildStarted: number | undefined): Promise<Date | undefined> {
  if (buildStarted !== undefined) return new Date();
  const [newest] = (await context.history?.versions(asset)) ?? [];
  return newest === undefined ? undefined : new Date(newest.createdAt);
}


/** The outcomes of `error` checks that failed. */
export function blockingFailures(evaluation: CheckEvaluation): CheckEvaluation['outcomes'] {
  return evaluation.outcomes.filter((outcome) => !outcome.passed && outcome.severity === 'error');
}

