/**
 * The run-boundary dispatcher: once a run has ended (`run_finished` durable), read what it did
 * from the event log, map it to OpenLineage events, send them through the project's transport and
 * record how that went (`openlineage_emitted` / `openlineage_failed`). A project without
 * `openlineage:` costs nothing: no state is read.
 */
import type { ColumnInfo, EngineAdapter } from '../engines/engine-adapter.js';
import { messageOf } from '../errors/weir-error.js';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { inferOutputColumns } from '../graph/infer-output-columns.js';
import type { AssetColumns } from '../graph/output-columns.js';
import { environmentView } from '../plan/physical-names.js';
import type { Project } from '../project/project-model.js';
import type { StateStore } from '../storage/state-store.js';
import { warehouseNaming } from './dataset-naming.js';
import { lineageTransport, type EmissionOutcome, type LineageHttpPolicy } from './lineage-transports.js';
import type { LineageRunEvent } from './openlineage-event.js';
import { runLineageEvents } from './run-lineage-events.js';

/** Options of {@link emitRunLineage}; tests shorten the HTTP policy. */
export interface EmitRunLineageOptions {
  httpPolicy?: LineageHttpPolicy;
}

/** What an emission did: the events it built and how sending them ended. */
export interface RunLineageEmission {
  events: LineageRunEvent[];
  outcome: EmissionOutcome;
}

/**
 * Emits the OpenLineage events of run `run.runId`, which has ended. Resolves when they are
 * written or sent (retries included, within the transport's bounds) and the outcome recorded;
 * never rejects, so a run's outcome never depends on its lineage. `engine` describes the versions
 * the run built (their real columns and types); it must still be open. Without one (a crashed run
 * found at the start of a command, before any warehouse is opened) the events say what happened
 * with the columns the project's files declare or imply.
 *
 * @example
 * ```ts
 * const result = await executePlan({ ... });
 * await emitRunLineage(project, store, engine, result);
 * ```
 */
export async function emitRunLineage(project: Project, store: StateStore, engine: EngineAdapter | undefined, run: { runId: string }, options: EmitRunLineageOptions = {}): Promise<RunLineageEmission | undefined> {
  const spec = project.openlineage;
  if (spec === undefined) return undefined;
  const transport = lineageTransport(spec.transport, options.httpPolicy);
  let events: LineageRunEvent[];
  try {
    const record = await store.run(run.runId);
    if (record === undefined || record.status === 'running') return undefined;
    const logged = await store.events({ runId: record.runId });
    const built = logged.flatMap((event) => (event.type === 'asset_materialized' ? [event] : []));
    const described = new Map<string, ColumnInfo[]>();
    for (const event of engine === undefined ? [] : built) {
      const columns = await describeQuietly(engine!, { schema: event.physicalSchema, name: event.physicalName });
      if (columns !== undefined) described.set(event.asset, columns);
    }
    events = runLineageEvents({
      project,
      namespace: spec.namespace,
      naming: warehouseNaming(project.warehouse),
      dialect: engine?.kind ?? project.warehouse.engine,
      run: record,
      events: logged,
      inferred: await inferredColumns(project, engine, record.environment),
      described,
    });
  } catch {
    // The state cannot be read (the store went away): there is nothing true to tell, and the run
    // has ended all the same.
    return undefined;
  }
  let outcome: EmissionOutcome;
  try {
    outcome = await transport.emit(events);
  } catch (error) {
    outcome = { delivered: false, sent: 0, attempts: 1, error: `the transport failed: ${messageOf(error)}` };
  }
  const base = { at: eventTime(), runId: run.runId, transport: spec.transport.type, target: transport.target, events: events.length, sent: outcome.sent, attempts: outcome.attempts };
  const recorded: WeirEvent = outcome.delivered
    ? { type: 'openlineage_emitted', ...base }
    : { type: 'openlineage_failed', ...base, error: outcome.error, ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }) };
  try {
    await store.append([recorded]);
  } catch {
    // The run's own events are durable already; nothing here may fail the run.
  }
  return { events, outcome };
}

async function describeQuietly(engine: EngineAdapter, relation: { schema: string; name: string }): Promise<ColumnInfo[] | undefined> {
  try {
    return await engine.describe(relation);
  } catch {
    return undefined;
  }
}

/**
 * The graph's output columns, with file sources described by their published tables (the run has
 * loaded them), so a `select *` over a source still has column lineage.
 */
async function inferredColumns(project: Project, engine: EngineAdapter | undefined, environment: string): Promise<Map<string, AssetColumns> | undefined> {
  try {
    return await inferOutputColumns(project.assets, buildAssetGraph(project), {
      describeSource: async (asset) => (engine === undefined ? undefined : describeQuietly(engine, environmentView(environment, asset.name))),
    });
  } catch {
    // Column lineage is a bonus: events without it are still true.
    return undefined;
  }
}
