/**
 * What the KPIs are folded from, read from the state store's projections: the runs of one
 * environment that were still going at or after a point in time, each with its steps and check
 * results, plus the versions and publication pointers (for the state assets were in before).
 */
import type { CheckResultRecord, PointerRecord, RunRecord, StateStore, StepRecord, VersionRecord } from '../storage/state-store.js';

/** One run with what it did. */
export interface KpiRun {
  run: RunRecord;
  steps: StepRecord[];
  checks: CheckResultRecord[];
}

/** The recorded state KPIs are computed from. */
export interface KpiHistory {
  environment: string;
  /** Runs ending at or after this instant (or still running) are in `runs` (ISO). */
  since: string;
  /** Oldest first. */
  runs: KpiRun[];
  /** Every version of every asset (for what was published before `since`). */
  versions: VersionRecord[];
  /** The environment's publication pointers now. */
  pointers: PointerRecord[];
  /** True when more runs ended since `since` than were read: the oldest were left out. */
  truncated: boolean;
}

/**
 * The most runs read: a project running every minute for two 30-day windows is cut to its newest
 * runs rather than folding hundreds of thousands of steps; `truncated` says so.
 */
export const KPI_MAX_RUNS = 5000;

/**
 * Reads the history of `environment` since `since`.
 *
 * @example
 * ```ts
 * const window = kpiWindow(new Date(), 30);
 * const history = await readKpiHistory(store, { environment: 'prod', since: new Date(window.previousFrom).toISOString() });
 * ```
 */
export async function readKpiHistory(store: StateStore, options: { environment: string; since: string; maxRuns?: number }): Promise<KpiHistory> {
  const since = Date.parse(options.since);
  const maxRuns = options.maxRuns ?? KPI_MAX_RUNS;
  // Newest first from the store: the first `maxRuns` that qualify are the ones kept.
  const wanted = (await store.runs()).filter((run) => run.environment === options.environment && (run.endedAt === null || Date.parse(run.endedAt) >= since));
  const kept = wanted.slice(0, maxRuns).reverse();
  // Steps and check results of every kept run in a few queries (ids in chunks), not two per run.
  const ids = kept.map((run) => run.runId);
  const [steps, checks] = await Promise.all([store.stepsOfRuns(ids), store.checkResults({ runIds: ids })]);
  const stepsOf = groupByRun(steps);
  const checksOf = groupByRun(checks);
  const runs: KpiRun[] = kept.map((run) => ({ run, steps: stepsOf.get(run.runId) ?? [], checks: checksOf.get(run.runId) ?? [] }));
  const [versions, pointers] = await Promise.all([store.versions(), store.pointers(options.environment)]);
  return { environment: options.environment, since: new Date(since).toISOString(), runs, versions, pointers, truncated: wanted.length > kept.length };
}

function groupByRun<T extends { runId: string | null }>(records: T[]): Map<string, T[]> {
  const byRun = new Map<string, T[]>();
  for (const record of records) {
    if (record.runId === null) continue;
    const list = byRun.get(record.runId);
    if (list === undefined) byRun.set(record.runId, [record]);
    else list.push(record);
  }
  return byRun;
}
