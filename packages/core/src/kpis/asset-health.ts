/**
 * Each asset's health over time, folded from its step outcomes: down from a failed or blocked
 * step until it is published again (a succeeded step, a step skipped because the live version is
 * already the one planned, or a publication such as a rollback), up otherwise. Uptime and time to
 * resolve failures are both read from this one timeline.
 */
import type { KpiHistory } from './kpi-history.js';

/** One change of an asset's health. */
export interface HealthChange {
  /** Epoch milliseconds. */
  at: number;
  up: boolean;
}

/** One asset's health: how it started and every change after, oldest first. */
export interface AssetHealth {
  asset: string;
  /** Health at the history's start: true when a version was published before it, null when not yet observed. */
  initial: boolean | null;
  changes: HealthChange[];
}

/** A failure of one asset: from its first failed or blocked step to its next publication. */
export interface AssetIncident {
  asset: string;
  /** Epoch milliseconds. */
  openedAt: number;
  /** Null while unresolved. */
  resolvedAt: number | null;
}

/**
 * The health timeline of each named asset (assets of the project; others are ignored).
 *
 * @example
 * ```ts
 * const health = assetHealth(history, [...project.assets.keys()]);
 * ```
 */
export function assetHealth(history: KpiHistory, assets: readonly string[]): AssetHealth[] {
  const since = Date.parse(history.since);
  const changes = new Map<string, HealthChange[]>(assets.map((asset) => [asset, []]));
  const add = (asset: string, at: string | null, up: boolean): void => {
    if (at !== null) changes.get(asset)?.push({ at: Date.parse(at), up });
  };
  for (const { steps } of history.runs) {
    for (const step of steps) {
      if (step.status === 'failed' || step.status === 'blocked') add(step.asset, step.endedAt, false);
      else if (step.status === 'succeeded' || (step.status === 'skipped' && step.skipReason === 'unchanged')) add(step.asset, step.endedAt, true);
    }
  }
  // The live pointer's publication also ends a failure: a rollback is a publication without a step.
  for (const pointer of history.pointers) add(pointer.asset, pointer.publishedAt, true);
  const publishedBefore = new Set(history.versions.filter((version) => version.status !== 'blocked' && version.status !== 'built' && Date.parse(version.createdAt) < since).map((version) => version.asset));
  return assets.map((asset) => ({
    asset,
    initial: publishedBefore.has(asset) ? true : null,
    // Stable sort: outcomes at the same instant keep their log order.
    changes: changes.get(asset)!.sort((a, b) => a.at - b.at),
  }));
}

/**
 * The failures in a health timeline: each opens at a change to down while up (or not yet
 * observed) and closes at the next change to up.
 *
 * @example
 * ```ts
 * const open = assetIncidents(assetHealth(history, names)).filter((incident) => incident.resolvedAt === null);
 * ```
 */
export function assetIncidents(health: readonly AssetHealth[]): AssetIncident[] {
  const incidents: AssetIncident[] = [];
  for (const { asset, changes } of health) {
    let open: AssetIncident | undefined;
    for (const change of changes) {
      if (!change.up && open === undefined) {
        open = { asset, openedAt: change.at, resolvedAt: null };
        incidents.push(open);
      } else if (change.up && open !== undefined) {
        open.resolvedAt = change.at;
        open = undefined;
      }
    }
  }
  return incidents;
}

/**
 * Up and observed milliseconds of one asset between `from` and `to`.
 *
 * @example
 * ```ts
 * const { up, observed } = healthyTime(health, window.from, window.to);
 * ```
 */
export function healthyTime(health: AssetHealth, from: number, to: number): { up: number; observed: number } {
  let up = 0;
  let observed = 0;
  let state = health.initial;
  let since = Number.NEGATIVE_INFINITY;
  const account = (until: number): void => {
    const start = Math.max(since, from);
    const end = Math.min(until, to);
    if (state === null || end <= start) return;
    observed += end - start;
    if (state) up += end - start;
  };
  for (const change of health.changes) {
    account(change.at);
    state = change.up;
    since = change.at;
  }
  account(Number.POSITIVE_INFINITY);
  return { up, observed };
}
