/**
 * Rollback is a pointer move: the environment's view goes back to an earlier, complete version, and
 * the asset is pinned there so that the next scheduled run does not quietly publish the version
 * that was just rolled back. `unpinAsset` hands the asset back to normal runs.
 */
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import { eventTime } from '../events/weir-event.js';
import { environmentView, physicalRelation } from '../plan/physical-names.js';
import type { StateStore, VersionRecord } from '../storage/state-store.js';

/** What a rollback did. */
export interface RollbackResult {
  asset: string;
  environment: string;
  from: string;
  to: string;
}

/**
 * Points `asset` in `environment` back at the previously published version, or at `to` (a
 * version id or a unique prefix of one).
 *
 * @example
 * ```ts
 * await rollbackAsset({ engine, store, environment: 'prod', asset: 'daily_revenue' });
 * ```
 */
export async function rollbackAsset(options: {
  engine: EngineAdapter;
  store: StateStore;
  environment: string;
  asset: string;
  to?: string;
}): Promise<RollbackResult> {
  const { engine, store, environment, asset } = options;
  const pointer = (await store.pointers(environment)).find((candidate) => candidate.asset === asset);
  if (!pointer) throw new WeirError('VERSION_UNKNOWN', `${asset} has no published version in environment "${environment}"`);
  const versions = (await store.versions(asset)).filter((version) => version.status !== 'dropped');
  const target = options.to === undefined ? await previousPublished(store, environment, asset, pointer.version, versions) : findVersion(versions, asset, options.to);
  if (target.version === pointer.version) throw new WeirError('USAGE', `${asset} already points at ${target.version} in "${environment}"`);
  // Only a version that once passed its checks and went live may go live again this way; a
  // version held back by a check (or never finished) stays held back.
  if (target.status !== 'published') {
    throw new WeirError('USAGE', `version ${target.version} of ${asset} was never published (it is ${target.status}); rollback only returns to versions that passed their checks`, {
      hint: `see why with: weir show ${asset}`,
    });
  }
  if ((await engine.describe(physicalRelation(asset, target.version))) === undefined) {
    throw new WeirError('VERSION_UNKNOWN', `version ${target.version} of ${asset} no longer exists in the warehouse (removed by gc?)`);
  }
  await engine.pointView(environmentView(environment, asset), physicalRelation(asset, target.version));
  await store.append([
    { type: 'asset_published', at: eventTime(), runId: null, environment, asset, version: target.version, previousVersion: pointer.version, reason: 'rollback' },
    { type: 'asset_pinned', at: eventTime(), environment, asset, pinned: true },
  ]);
  return { asset, environment, from: pointer.version, to: target.version };
}

/** Lets runs build and publish `asset` again after a rollback. */
export async function unpinAsset(store: StateStore, environment: string, asset: string): Promise<boolean> {
  const pointer = (await store.pointers(environment)).find((candidate) => candidate.asset === asset);
  if (!pointer?.pinned) return false;
  await store.append([{ type: 'asset_pinned', at: eventTime(), environment, asset, pinned: false }]);
  return true;
}

function findVersion(versions: VersionRecord[], asset: string, wanted: string): VersionRecord {
  const matches = versions.filter((version) => version.version.startsWith(wanted));
  if (matches.length === 1) return matches[0]!;
  const known = versions.map((version) => version.version).join(', ') || 'none';
  throw new WeirError('VERSION_UNKNOWN', matches.length === 0 ? `${asset} has no version "${wanted}" (known: ${known})` : `"${wanted}" matches several versions of ${asset}; give more characters`);
}

/** The version that was live before the current one, from the publication history. */
async function previousPublished(store: StateStore, environment: string, asset: string, current: string, versions: VersionRecord[]): Promise<VersionRecord> {
  const available = new Map(versions.map((version) => [version.version, version]));
  const history = (await store.events({ asset }))
    .filter((event) => event.type === 'asset_published' && event.environment === environment)
    .map((event) => (event.type === 'asset_published' ? event.version : ''));
  for (let index = history.length - 1; index >= 0; index--) {
    const version = history[index]!;
    if (version !== current && available.has(version)) return available.get(version)!;
  }
  throw new WeirError('VERSION_UNKNOWN', `${asset} has no earlier published version to roll back to in "${environment}"`);
}
