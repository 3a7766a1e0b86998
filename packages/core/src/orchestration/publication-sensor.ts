/**
 * The `asset_published` sensor: an upstream asset was published in the project's environment,
 * so what depends on it should run. It follows the event log with a cursor (an event id).
 *
 * - The first evaluation (no cursor) starts at the end of the log: publications from before the
 *   sensor existed do not fire it.
 * - Each evaluation reads the publications of the watched assets after the cursor, up to the
 *   log's end as read at the start (ids are gap-free and in commit order, so nothing committed
 *   later can have a smaller id), and asks for one run covering all of them.
 * - Without `select:`, the run is what is downstream of the published assets, not those assets
 *   themselves; when nothing is downstream, the cursor moves and no run is asked for.
 */
import type { AssetPublishedEvent, StoredEvent } from '../events/weir-event.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import type { Project } from '../project/project-model.js';
import type { AssetPublishedSensorSpec, TriggerSelection } from '../project/trigger-specs.js';
import type { StateStore } from '../storage/state-store.js';
import { listNames } from './file-sensor.js';
import type { SensorDecision } from './sensor-decision.js';

/** The sensor's cursor: the log has been read up to this event id. */
export interface PublicationSensorCursor {
  afterEventId: number;
}

/**
 * Reads the log after the cursor and decides.
 *
 * @example
 * ```ts
 * const decision = await evaluatePublicationSensor(sensor, stored?.cursor, { store, project, graph, now });
 * ```
 */
export async function evaluatePublicationSensor(
  sensor: Pick<AssetPublishedSensorSpec, 'name' | 'assets' | 'selection'>,
  cursor: unknown,
  context: { store: StateStore; project: Project; graph: AssetGraph; now: Date },
): Promise<SensorDecision> {
  const { store, project, graph, now } = context;
  const upTo = await store.lastEventId();
  const after = readCursor(cursor);
  if (after === undefined) return { cursor: { afterEventId: upTo } satisfies PublicationSensorCursor };
  if (upTo <= after) return {};
  const published: Array<StoredEvent & AssetPublishedEvent> = [];
  for (const asset of sensor.assets) {
    // One index range per watched asset ((asset, id)), instead of the whole log since the cursor.
    for (const event of await store.events({ asset, afterId: after })) {
      if (event.id > upTo) break;
      if (event.type === 'asset_published' && event.environment === project.environment) published.push(event);
    }
  }
  if (published.length === 0) return {};
  published.sort((a, b) => a.id - b.id);
  const next: PublicationSensorCursor = { afterEventId: upTo };
  const assets = [...new Set(published.map((event) => event.asset))];
  const selection: TriggerSelection = sensor.selection ?? { select: assets.map((asset) => `${asset}+`), exclude: assets };
  if (sensor.selection === undefined && selectAssets(graph, project, selection).size === 0) return { cursor: next };
  const newest = published[published.length - 1]!;
  return {
    cursor: next,
    request: {
      trigger: `sensor:${sensor.name}`,
      // The newest publication covered names the occasion: re-evaluating the same log asks again with the same key.
      dedupeKey: `sensor:${sensor.name}:event-${newest.id}`,
      selection: { select: [...selection.select], exclude: [...selection.exclude] },
      reason: `sensor "${sensor.name}": published in ${project.environment}: ${listNames(published.map((event) => `${event.asset} (version ${event.version})`))}`,
      scheduledFor: now.toISOString(),
    },
  };
}

function readCursor(cursor: unknown): number | undefined {
  if (cursor === null || typeof cursor !== 'object') return undefined;
  const value = (cursor as Partial<PublicationSensorCursor>).afterEventId;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
