/**
 * Planning a run: for each selected asset, in dependency order, the version its current code and
 * inputs call for and what the run must do about it. A plan explains itself: every step carries a
 * reason a person can read ("unchanged since run r_...", "code changed", "new files").
 */
import { createHash } from 'node:crypto';
import { assetsReadByChecks } from '../definitions/check-spec.js';
import { WeirError } from '../errors/weir-error.js';
import { partitionKey, partitionWindow } from '../partitions/partition-keys.js';
import type { PartitionWindow } from '../partitions/partition-spec.js';
import { isPartitioned } from '../project/is-partitioned.js';
import type { AssetSpec, PartitionedAsset, Project } from '../project/project-model.js';
import type { PointerRecord, VersionRecord } from '../storage/state-store.js';
import { fingerprintAsset, type SourceFileIdentity } from './fingerprint.js';

/** What a step will do. */
export type StepAction =
  /** Build a new version, check it, publish it. */
  | 'build'
  /** The environment already points at this version: nothing to do. */
  | 'unchanged'
  /** The version exists (built earlier or in another environment): check it again and publish it, no rebuild. */
  | 'reuse'
  /** A rollback pinned the asset: leave it where it is. */
  | 'pinned'
  /** `weir check`: evaluate the checks of the published version; nothing is built or published. */
  | 'check'
  /** `weir quarantine replay`: the published version plus the quarantined rows that now pass, checked and published. */
  | 'replay';

/** One step of a plan. */
export interface PlanStep {
  asset: AssetSpec;
  version: string;
  action: StepAction;
  reason: string;
  /** Inputs that are built in this plan (a step waits for them). */
  upstreamInPlan: string[];
  /** Every input asset to the version its data is read from. */
  inputVersions: Record<string, string>;
  /** The version the environment points at before the run. */
  currentVersion: string | null;
  /** For incremental assets: the version the new rows are merged into. */
  basedOn: string | null;
  /**
   * Set: build only this partition of a partitioned asset into `version` (which holds every
   * partition). A partitioned asset planned without it is left as it is (`unchanged`).
   */
  partition?: PartitionWindow;
}

/** A whole plan, steps in dependency order. */
export interface RunPlan {
  environment: string;
  steps: PlanStep[];
}

/** What the planner needs to know about the world. */
export interface PlanContext {
  project: Project;
  engine: string;
  environment: string;
  /** Selected asset names. */
  selected: ReadonlySet<string>;
  pointers: PointerRecord[];
  versions: VersionRecord[];
  /** Files a source reads, for its fingerprint. */
  describeFiles(asset: AssetSpec & { kind: 'source' }): Promise<SourceFileIdentity[]>;
  /** What a database source holds now, for its fingerprint (`probeSourceState`); absent: every plan loads it again. */
  probeSource?(asset: AssetSpec & { kind: 'database' }): Promise<string>;
  /** Build this partition (a key or a date inside it) of every selected partitioned asset; the others build as usual. */
  partition?: string;
  /** The clock, for the partitions a declaration without `end` has. */
  now?: Date;
  /**
   * What the published partitions of a partitioned asset's version hold, as a stamp that changes
   * whenever a partition is published (see `partitionStamp`): its readers rebuild when it does.
   */
  partitionStamps?: ReadonlyMap<string, string>;
}

/** The inputs of any asset kind. */
export function inputsOf(asset: AssetSpec): string[] {
  return asset.kind === 'source' || asset.kind === 'database' || asset.kind === 'stream' || asset.kind === 'http' || asset.kind === 'typescript_source' ? [] : asset.inputs;
}

/** What must be settled before an asset builds: its inputs and the assets its checks read. */
export function prerequisitesOf(asset: AssetSpec): string[] {
  const reads = assetsReadByChecks(asset);
  return reads.length === 0 ? inputsOf(asset) : [...new Set([...inputsOf(asset), ...reads])];
}

/**
 * Orders `names` so that every asset comes after its inputs. The loader has already refused
 * cycles; a cycle here is an internal error.
 */
export function dependencyOrder(project: Project, names: ReadonlySet<string>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new WeirError('INTERNAL', `dependency cycle through ${name} reached the planner`);
    state.set(name, 'visiting');
    const asset = project.assets.get(name);
    for (const input of asset ? prerequisitesOf(asset) : []) if (names.has(input)) visit(input);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...names].sort()) visit(name);
  return order;
}

/**
 * Builds the plan for the selected assets.
 *
 * @example
 * ```ts
 * const plan = await buildPlan({ project, engine: 'duckdb', environment: 'prod', selected, pointers, versions, describeFiles });
 * for (const step of plan.steps) console.log(step.asset.name, step.action, step.reason);
 * ```
 */
export async function buildPlan(context: PlanContext): Promise<RunPlan> {
  const { project, selected } = context;
  const pointerOf = new Map(context.pointers.map((pointer) => [pointer.asset, pointer]));
  const versionsOf = new Map<string, VersionRecord[]>();
  for (const version of context.versions) {
    if (version.status === 'dropped') continue;
    versionsOf.set(version.asset, [...(versionsOf.get(version.asset) ?? []), version]);
  }
  const planned = new Map<string, string>();
  // What a reader's fingerprint sees of each input: its version, and for a partitioned input what
  // its partitions hold, since rebuilding a partition changes the data but not the version.
  const contents = new Map<string, string>();
  const contentOf = (input: string, version: string): string => {
    if (!isPartitioned(project.assets.get(input))) return version;
    return contents.get(input) ?? `${version}:${context.partitionStamps?.get(input) ?? ''}`;
  };
  const steps: PlanStep[] = [];
  for (const name of dependencyOrder(project, selected)) {
    const asset = project.assets.get(name);
    if (!asset) throw new WeirError('ASSET_UNKNOWN', `unknown asset "${name}"`);
    const inputVersions: Record<string, string> = {};
    const inputContents: Record<string, string> = {};
    for (const input of inputsOf(asset)) {
      const version = planned.get(input) ?? pointerOf.get(input)?.version;
      if (version === undefined) {
        throw new WeirError('SELECTION_INVALID', `${name} reads ${input}, which has no published version in environment "${context.environment}"`, {
          location: { file: asset.file, line: asset.line },
          hint: `select it too, e.g. --select +${name}`,
        });
      }
      inputVersions[input] = version;
      inputContents[input] = contentOf(input, version);
    }
    const partitioned = isPartitioned(asset);
    const step = isPartitioned(asset)
      ? planPartitionStep(context, asset, inputVersions, pointerOf.get(name))
      : await planStep(context, asset, inputVersions, pointerOf.get(name), versionsOf.get(name) ?? [], inputContents);
    step.upstreamInPlan = prerequisitesOf(asset).filter((input) => selected.has(input));
    // Downstream of a partitioned asset left as it is reads what the environment serves.
    planned.set(name, partitioned && step.partition === undefined ? (step.currentVersion ?? step.version) : step.version);
    // A partition built in this run changes what its readers read: they are built again after it.
    if (step.partition !== undefined) contents.set(name, `${step.version}:building ${step.partition.key} ${Date.now()} ${Math.random()}`);
    steps.push(step);
  }
  return { environment: context.environment, steps };
}

/**
 * A stamp of what the published partitions of one version hold: it changes whenever one of them
 * is published again. Pass it to the planner as `partitionStamps`.
 *
 * @example
 * ```ts
 * const stamp = partitionStamp(await store.partitions({ asset: 'daily_revenue', version }));
 * ```
 */
export function partitionStamp(partitions: ReadonlyArray<{ partition: string; status: string; updatedAt: string; runId: string }>): string {
  const published = partitions.filter((row) => row.status === 'published' || row.status === 'blocked' || row.status === 'failed');
  const text = published.map((row) => `${row.partition} ${row.runId} ${row.updatedAt}`).sort().join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/**
 * The version of a partitioned asset: its code and how it is cut, not its inputs' versions. A
 * partition reads whatever its inputs publish when it builds, so new input data is a rebuild of
 * the partitions it touches, never a new (empty) version.
 *
 * @example
 * ```ts
 * const version = partitionedVersion(asset, 'duckdb', project.root);
 * ```
 */
export function partitionedVersion(asset: AssetSpec, engine: string, projectRoot: string): string {
  return fingerprintAsset(asset, { engine, projectRoot, upstreamVersions: {} });
}

function planPartitionStep(context: PlanContext, asset: PartitionedAsset, inputVersions: Record<string, string>, pointer: PointerRecord | undefined): PlanStep {
  const spec = asset.partitionedBy;
  const version = partitionedVersion(asset, context.engine, context.project.root);
  const currentVersion = pointer?.version ?? null;
  const base = { asset, version, inputVersions, currentVersion, upstreamInPlan: [] as string[], basedOn: null as string | null };
  // A new version starts empty: every partition of it must be built again.
  const fresh = currentVersion !== null && currentVersion !== version ? `; code changed: version ${version} starts empty, backfill its partitions (weir backfill ${asset.name} --from ... --to ...)` : '';
  if (context.partition === undefined) {
    const serving = currentVersion === null ? 'no partition built yet' : `serving ${currentVersion}`;
    return { ...base, action: 'unchanged', reason: `partitioned (${serving}): build partitions with --partition or weir backfill${fresh}` };
  }
  let key: string;
  try {
    key = partitionKey(spec, context.partition, context.now);
  } catch (error) {
    throw new WeirError('SELECTION_INVALID', `${asset.name}: ${(error as Error).message}`, { location: asset.partitionedAt ?? { file: asset.file, line: asset.line } });
  }
  return { ...base, action: 'build', reason: `partition ${key}${fresh}`, partition: partitionWindow(spec, key) };
}

async function planStep(
  context: PlanContext,
  asset: AssetSpec,
  inputVersions: Record<string, string>,
  pointer: PointerRecord | undefined,
  versions: VersionRecord[],
  inputContents: Record<string, string> = inputVersions,
): Promise<PlanStep> {
  const currentVersion = pointer?.version ?? null;
  const base = { asset, inputVersions, currentVersion, upstreamInPlan: [] as string[], basedOn: null as string | null };
  if (pointer?.pinned) {
    return { ...base, version: pointer.version, action: 'pinned', reason: `pinned to ${pointer.version} by a rollback` };
  }
  const files = asset.kind === 'source' ? await context.describeFiles(asset) : undefined;
  const readsEnvironment = asset.kind === 'sql' && asset.inputsDeclared && asset.materialization === 'view';
  const inputs = {
    engine: context.engine,
    projectRoot: context.project.root,
    upstreamVersions: inputContents,
    ...(files ? { files } : {}),
    ...(readsEnvironment ? { environment: context.environment } : {}),
    ...(asset.kind === 'database' ? { sourceState: (await context.probeSource?.(asset)) ?? `load ${Date.now()} ${Math.random()}` } : {}),
    // A stream's new messages are only known by consuming them: every run drains and rebuilds.
    ...(asset.kind === 'stream' || asset.kind === 'http' || asset.kind === 'typescript_source' ? { sourceState: `read ${Date.now()} ${Math.random()}` } : {}),
  };
  const extendsCurrent =
    (asset.kind === 'sql' && asset.materialization === 'incremental') ||
    (asset.kind === 'source' && asset.newFiles !== undefined) ||
    (asset.kind === 'database' && asset.incremental !== undefined) ||
    (asset.kind === 'http' && asset.request.incremental !== undefined) ||
    (asset.kind === 'typescript_source' && asset.incremental !== undefined);
  if (extendsCurrent) {
    const current = versions.find((version) => version.version === currentVersion);
    // The current version was built from the same code and inputs when fingerprinting it again
    // (on top of what it was itself based on) gives back its own id.
    const again = fingerprintAsset(asset, { ...inputs, previousVersion: current?.basedOn ?? null });
    if (current && again === current.version) {
      return { ...base, version: current.version, action: 'unchanged', reason: 'no new input since the current version' };
    }
    const version = fingerprintAsset(asset, { ...inputs, previousVersion: currentVersion });
    const reason = current ? `new input: merging into ${current.version}` : 'first build';
    return { ...base, version, action: 'build', reason, basedOn: current ? current.version : null };
  }
  const version = fingerprintAsset(asset, inputs);
  if (version === currentVersion) return { ...base, version, action: 'unchanged', reason: 'code and inputs unchanged' };
  if (versions.some((existing) => existing.version === version)) {
    return { ...base, version, action: 'reuse', reason: 'this version was built before: checked again and published without a rebuild' };
  }
  return { ...base, version, action: 'build', reason: currentVersion ? 'code or inputs changed' : 'first build' };
}

/**
 * The plan of a `weir check`: one `check` step per selected asset that has a published version,
 * in dependency order. Steps do not wait for each other: nothing is built, so nothing upstream
 * can change under them. Selected assets never published are returned apart.
 *
 * @example
 * ```ts
 * const { plan, unpublished } = buildCheckPlan(project, 'prod', selected, await store.pointers('prod'));
 * ```
 */
export function buildCheckPlan(
  project: Project,
  environment: string,
  selected: ReadonlySet<string>,
  pointers: readonly PointerRecord[],
): { plan: RunPlan; unpublished: string[] } {
  const pointerOf = new Map(pointers.map((pointer) => [pointer.asset, pointer]));
  const steps: PlanStep[] = [];
  const unpublished: string[] = [];
  for (const name of dependencyOrder(project, selected)) {
    const asset = project.assets.get(name);
    const pointer = pointerOf.get(name);
    if (asset === undefined) throw new WeirError('ASSET_UNKNOWN', `unknown asset "${name}"`);
    if (pointer === undefined) {
      unpublished.push(name);
      continue;
    }
    steps.push({
      asset,
      version: pointer.version,
      action: 'check',
      reason: 'check the published version',
      upstreamInPlan: [],
      inputVersions: {},
      currentVersion: pointer.version,
      basedOn: null,
    });
  }
  return { plan: { environment, steps }, unpublished };
}

/**
 * The plan of a quarantine replay: one step building a new version of `asset` from its published
 * version plus the quarantined rows its checks now let through.
 *
 * @example
 * ```ts
 * const plan = buildReplayPlan(project, 'prod', 'orders', pointers, runId);
 * ```
 */
export function buildReplayPlan(project: Project, environment: string, asset: string, pointers: readonly PointerRecord[], runId: string): RunPlan {
  const spec = project.assets.get(asset);
  if (spec === undefined) throw new WeirError('ASSET_UNKNOWN', `unknown asset "${asset}"`);
  const pointer = pointers.find((candidate) => candidate.asset === asset);
  if (pointer === undefined) {
    throw new WeirError('VERSION_UNKNOWN', `${asset} has no published version in environment "${environment}" to replay quarantined rows into`, { hint: 'run it first: weir run' });
  }
  const version = createHash('sha256').update(`${pointer.version}:replay:${runId}`).digest('hex');
  return {
    environment,
    steps: [
      { asset: spec, version, action: 'replay', reason: 'quarantined rows that now pass, added to the published version', upstreamInPlan: [], inputVersions: {}, currentVersion: pointer.version, basedOn: pointer.version },
    ],
  };
}
