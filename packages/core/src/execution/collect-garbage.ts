/**
 * `weir gc`: dropping physical versions that nothing needs any more. A version is kept when an
 * environment points at it, when it is among the newest `retainVersions` of its asset (so a
 * rollback has somewhere to go), or when a kept view version reads it. Tables in the versions
 * schema that the state does not know at all (left by a crash) are dropped too.
 */
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import { VERSIONS_SCHEMA, physicalRelation } from '../plan/physical-names.js';
import type { StateStore, VersionRecord } from '../storage/state-store.js';

/** One relation gc drops (or would drop, on a dry run). */
export interface GarbageItem {
  asset: string | null;
  version: string | null;
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
  for (const environment of options.environments) {
    for (const pointer of await store.pointers(environment)) keep.add(key(pointer.asset, pointer.version));
  }
  const byAsset = new Map<string, VersionRecord[]>();
  for (const version of versions) byAsset.set(version.asset, [...(byAsset.get(version.asset) ?? []), version]);
  for (const list of byAsset.values()) {
    list.sort((left, right) => right.createdAt.localeCompare(left.createdAt));
    for (const version of list.filter((candidate) => !keep.has(key(candidate.asset, candidate.version))).slice(0, options.retainVersions)) {
      keep.add(key(version.asset, version.version));
    }
  }
  await keepInputsOfViews(store, versions, keep, key);

  const garbage: GarbageItem[] = [];
  const known = new Set<string>();
  for (const version of versions) {
    const relation = physicalRelation(version.asset, version.version);
    known.add(relation.name);
    if (!keep.has(key(version.asset, version.version))) {
      garbage.push({ asset: version.asset, version: version.version, relation: `${relation.schema}.${relation.name}`, reason: version.status === 'blocked' ? 'blocked, never published' : 'older than the retained versions' });
    }
  }
  for (const relation of await engine.listRelations(VERSIONS_SCHEMA)) {
    if (!known.has(relation.name)) garbage.push({ asset: null, version: null, relation: `${VERSIONS_SCHEMA}.${relation.name}`, reason: 'not known to the state (left by a crash?)' });
  }
  if (options.dryRun) return garbage;

  const kinds = new Map((await engine.listRelations(VERSIONS_SCHEMA)).map((relation) => [relation.name, relation.kind]));
  const events: WeirEvent[] = [];
  // Views first: a view version may read a table version dropped in the same pass.
  const ordered = [...garbage].sort((left, right) => kindRank(kinds, left) - kindRank(kinds, right));
  for (const item of ordered) {
    const name = item.relation.slice(VERSIONS_SCHEMA.length + 1);
    const kind = kinds.get(name);
    if (kind) await engine.drop({ schema: VERSIONS_SCHEMA, name }, kind);
    if (item.asset && item.version) events.push({ type: 'version_dropped', at: eventTime(), asset: item.asset, version: item.version });
  }
  if (events.length > 0) await store.append(events);
  return garbage;
}

function kindRank(kinds: Map<string, 'table' | 'view'>, item: GarbageItem): number {
  return kinds.get(item.relation.slice(VERSIONS_SCHEMA.length + 1)) === 'view' ? 0 : 1;
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
