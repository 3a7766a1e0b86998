/**
 * `weir gc`: dropping physical versions that nothing needs any more. A version is kept when an
 * environment points at it (in the state, or in the warehouse itself: a view that reads it), when
 * it is among the newest `retainVersions` published versions of its asset (so a rollback has
 * somewhere to go), or when a kept view version reads it. Versions that were never published
 * (held back by a check) go first. Relations in the versions schema that the state does not know
 * (left by a crash) and leftover staging tables are dropped too, unless a view reads them.
 */
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import { STAGING_SCHEMA, VERSIONS_SCHEMA, physicalRelation } from '../plan/physical-names.js';
import type { StateStore, VersionRecord } from '../storage/state-store.js';
import { viewReads } from './view-reads.js';

/** One relation gc drops (or would drop, on a dry run). */
export interface GarbageItem {
  asset: string | null;
  version: string | null;
  /** `schema.name`, for people. */
  relation: string;
  reason: string;
}

/**
 * Finds (and unless `dryRun`, drops) unneeded versions.
 *
 * @example
 * ```ts
 * const dropped = await collectGarbage({ engine, store, environments: ['prod'], retainVersions: 3, dryRun: false });
 * ```
 */
export async function collectGarbage(options: {
  engine: EngineAdapter;
  store: StateStore;
  environments: string[];
  retainVersions: number;
  dryRun: boolean;
}): Promise<GarbageItem[]> {
  const { engine, store } = options;
  const versions = (await store.versions()).filter((version) => version.status !== 'dropped');
  const keep = new Set<string>();
  const key = (asset: string, version: string): string => `${asset}\u0000${version}`;
  const viewSql: string[] = [];
  for (const environment of options.environments) {
    for (const pointer of await store.pointers(environment)) keep.add(key(pointer.asset, pointer.version));
    viewSql.push(...(await engine.viewDefinitions(environment)).values());
  }
  // The warehouse's own views win over the state: a table a view serves is never dropped.
  const served = (name: string): boolean => viewSql.some((sql) => viewReads(sql, name));
  for (const version of versions) {
    if (served(physicalRelation(version.asset, version.version).name)) keep.add(key(version.asset, version.version));
  }
  const byAsset = new Map<string, VersionRecord[]>();
  for (const version of versions) byAsset.set(version.asset, [...(byAsset.get(version.asset) ?? []), version]);
  for (const list of byAsset.values()) {
    list.sort((left, right) => right.createdAt.localeCompare(left.createdAt));
    const rollbackTargets = list.filter((candidate) => candidate.status === 'published' && !keep.has(key(candidate.asset, candidate.version)));
    for (const version of rollbackTargets.slice(0, options.retainVersions)) keep.add(key(version.asset, version.version));
  }
  await keepInputsOfViews(store, versions, keep, key);

  const kinds = new Map<string, 'table' | 'view'>();
  for (const schema of [VERSIONS_SCHEMA, STAGING_SCHEMA]) {
    for (const relation of await engine.listRelations(schema)) kinds.set(`${schema}.${relation.name}`, relation.kind);
  }
  const garbage: GarbageItem[] = [];
  const known = new Set<string>();
  for (const version of versions) {
    const relation = physicalRelation(version.asset, version.version);
    known.add(`${relation.schema}.${relation.name}`);
    if (!keep.has(key(version.asset, version.version))) {
      garbage.push({ asset: version.asset, version: version.version, relation: `${relation.schema}.${relation.name}`, reason: version.status === 'published' ? 'older than the retained versions' : 'never published' });
    }
  }
  for (const relation of kinds.keys()) {
    if (known.has(relation)) continue;
    const name = relation.slice(relation.indexOf('.') + 1);
    if (relation.startsWith(`${STAGING_SCHEMA}.`)) {
      // gc holds the run lock, so no run is using a staging table now.
      garbage.push({ asset: null, version: null, relation, reason: 'staging left by an interrupted incremental build' });
    } else if (!served(name)) {
      garbage.push({ asset: null, version: null, relation, reason: 'not known to the state (left by a crash?)' });
    }
  }
  if (options.dryRun) return garbage;

  const events: WeirEvent[] = [];
  // Views first: a view version may read a table version dropped in the same pass.
  const ordered = [...garbage].sort((left, right) => (kinds.get(left.relation) === 'view' ? 0 : 1) - (kinds.get(right.relation) === 'view' ? 0 : 1));
  for (const item of ordered) {
    const kind = kinds.get(item.relation);
    const dot = item.relation.indexOf('.');
    if (kind) await engine.drop({ schema: item.relation.slice(0, dot), name: item.relation.slice(dot + 1) }, kind);
    if (item.asset && item.version) events.push({ type: 'version_dropped', at: eventTime(), asset: item.asset, version: item.version });
  }
  if (events.length > 0) await store.append(events);
  return garbage;
}

/** Adds to `keep` every version a kept view version reads, transitively. */
async function keepInputsOfViews(store: StateStore, versions: VersionRecord[], keep: Set<string>, key: (asset: string, version: string) => string): Promise<void> {
  const inputsOf = new Map<string, Record<string, string>>();
  for (const event of await store.events()) {
    if (event.type === 'asset_materialized' && event.inputVersions) inputsOf.set(key(event.asset, event.version), event.inputVersions);
  }
  const views = new Set(versions.filter((version) => version.materialization === 'view').map((version) => key(version.asset, version.version)));
  const queue = [...keep].filter((entry) => views.has(entry));
  while (queue.length > 0) {
    const entry = queue.pop()!;
    for (const [asset, version] of Object.entries(inputsOf.get(entry) ?? {})) {
      const input = key(asset, version);
      if (keep.has(input)) continue;
      keep.add(input);
      if (views.has(input)) queue.push(input);
    }
  }
}
