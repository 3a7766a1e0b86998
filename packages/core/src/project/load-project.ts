/**
 * `loadProject`: weir.yaml, sources and models read into one complete, validated {@link Project}.
 * Every file is validated, every SQL model is parsed by DuckDB (through `graph/`) for what it
 * reads, and the graph is checked for cycles; all problems found are reported together (see
 * `project-problems.ts`).
 */
import { didYouMean } from '../errors/closest-name.js';
import { WeirError } from '../errors/weir-error.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { inferOutputColumns } from '../graph/infer-output-columns.js';
import { findTableReferences } from '../graph/find-table-references.js';
import { resolveCheckReferences, validateCheckColumns } from './check-references.js';
import { validatePartitionColumns } from './partitioned-by.js';
import { validateDeclaredLineageColumns } from './typescript-asset-lineage.js';
import { loadChecksFile } from './checks-file-loader.js';
import { validateNotificationSelections } from './notification-settings.js';
import { validateTriggerSelections } from './orchestration-settings.js';
import { findProjectRoot } from './find-project-root.js';
import type { DeclaredInput, FileLoadResult } from './loaded-asset.js';
import { listProjectFiles } from './project-files.js';
import type { AssetSpec, Project, SqlAsset } from './project-model.js';
import { throwProblems } from './project-problems.js';
import { readSettings } from './read-settings.js';
import { loadSourceFile } from './source-loader.js';
import { loadSqlModel } from './sql-model-loader.js';
import { loadTypeScriptFile } from './typescript-asset-loader.js';
import { loadSensorFile, sensorNameClashes } from './typescript-sensor-loader.js';

/** Options of {@link loadProject}. */
export interface LoadProjectOptions {
  /** The environment to work in (`--env`); overrides weir.yaml's `environment`. */
  environment?: string;
  /** Where `${VAR}` references are read from; `process.env` when absent. */
  env?: Record<string, string | undefined>;
}

/**
 * Loads the project containing `root` (the nearest folder at or above it with a weir.yaml).
 *
 * The result is complete: every SQL asset's `inputs` and `references` come from DuckDB's parser
 * (plus any declared `inputs:`), every name read is an asset, and there is no cycle. Build the
 * graph for planning or selection with `buildAssetGraph(project)`.
 *
 * @throws WeirError `PROJECT_NOT_FOUND`; or the project's problems, one error when there is one
 *   and a `ProjectProblems` listing all of them when there are several (weir.yaml is checked
 *   first, on its own, because every other file depends on its defaults); or `GRAPH_CYCLE`.
 * @example
 * ```ts
 * const project = await loadProject(process.cwd(), { environment: 'dev-alice' });
 * for (const asset of project.assets.values()) console.log(asset.kind, asset.name, asset.inputs);
 * ```
 */
export async function loadProject(root: string, options: LoadProjectOptions = {}): Promise<Project> {
  const projectRoot = await findProjectRoot(root);
  const { settings, problems } = await readSettings(projectRoot, {
    env: options.env ?? process.env,
    ...(options.environment === undefined ? {} : { environment: options.environment }),
  });
  throwProblems(problems);
  if (settings === undefined) throw new WeirError('INTERNAL', 'weir.yaml was neither valid nor reported');

  const files = await listProjectFiles(projectRoot);
  // SQL models and sources are cheap; esbuild runs in its own service, so bundles overlap too.
  const [results, checksFiles, sensorFiles] = await Promise.all([
    Promise.all([
      ...files.sources.map((file) => loadSourceFile(projectRoot, file, options.env ?? process.env)),
      ...files.sqlModels.map((file) => loadSqlModel(projectRoot, file, settings.defaults)),
      ...files.typeScriptModels.map((file) => loadTypeScriptFile(projectRoot, file)),
    ]),
    Promise.all(files.checks.map((file) => loadChecksFile(projectRoot, file))),
    Promise.all(files.sensors.map((file) => loadSensorFile(projectRoot, file))),
  ]);

  const allProblems = [...results.flatMap((result) => result.problems), ...checksFiles.flatMap((file) => file.problems)];
  const customSensors = sensorFiles.flatMap((file) => file.sensors);
  // Sensor files decide no asset: their problems do not make unknown assets noise (filesFailed).
  const sensorProblems = [...sensorFiles.flatMap((file) => file.problems), ...sensorNameClashes([...(settings.schedules ?? []), ...(settings.sensors ?? [])], customSensors)];
  const filesFailed = allProblems.length > 0;
  const assets = collectAssets(results, allProblems);
  const declared = resolveDeclaredInputs(results, assets, allProblems);
  const checkProblems: WeirError[] = [];
  const loadedChecks = checksFiles.flatMap((file) => (file.loaded === undefined ? [] : [file.loaded]));
  const checked = await resolveCheckReferences(assets, loadedChecks, checkProblems);
  // Unlike SQL's unknown tables (mostly noise when a file failed), every check problem is kept, so
  // that one load reports them all; an unknown asset may be one of a file that failed, and says so.
  allProblems.push(...(filesFailed ? checkProblems.map(mayBeInFailedFile) : checkProblems));

  const models = [...assets.values()].filter((asset): asset is SqlAsset => asset.kind === 'sql');
  const { byModel, problems: sqlProblems, statements } = await findTableReferences(models, assets.keys(), declared);
  // Assets of files that failed to load are missing, so "unknown table" would mostly be noise then.
  allProblems.push(...(filesFailed ? sqlProblems.filter((problem) => problem.code !== 'ASSET_UNKNOWN') : sqlProblems));

  const complete = [...checked.values()].map((asset): AssetSpec => {
    if (asset.kind === 'sql') return { ...asset, ...byModel.get(asset.name) };
    if (asset.kind === 'typescript') return { ...asset, inputs: declared.get(asset.name) ?? [] };
    return asset;
  });
  complete.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  const disabled = results.flatMap((result) => result.disabled ?? []);
  const sensors = [...(settings.sensors ?? []), ...customSensors];
  const project: Project = {
    ...settings,
    assets: new Map(complete.map((asset) => [asset.name, asset])),
    ...(disabled.length > 0 ? { disabled } : {}),
    ...(sensors.length > 0 ? { sensors } : {}),
  };
  // Building the graph is what finds cycles; callers build their own (it is cheap) when they need one.
  const graph = tryGraph(project, allProblems);
  // Checks naming columns a model does not produce are found now, with every other problem.
  if (graph !== undefined && !filesFailed) await validateColumns(project, graph, statements, allProblems);
  // Schedules and sensors select assets: a selector naming nothing would only fail when it fires.
  if (graph !== undefined && !filesFailed) allProblems.push(...validateTriggerSelections(project, graph), ...validateNotificationSelections(project, graph));
  allProblems.push(...undeclaredPools(project), ...sensorProblems);
  throwProblems(allProblems);
  return project;
}

/**
 * Indexes assets by name. Names are compared without case, as the warehouse compares
 * identifiers: `Orders` and `orders` would be one table.
 */
function collectAssets(results: FileLoadResult[], problems: WeirError[]): Map<string, AssetSpec> {
  const byLowerName = new Map<string, AssetSpec>();
  for (const asset of results.flatMap((result) => result.assets)) {
    const key = asset.name.toLowerCase();
    const first = byLowerName.get(key);
    if (first === undefined) {
      byLowerName.set(key, asset);
      continue;
    }
    problems.push(
      new WeirError('ASSET_DUPLICATE', `asset "${asset.name}" is defined twice: in ${first.file}:${first.line} and in ${asset.file}:${asset.line}`, {
        location: { file: asset.file, line: asset.line },
        hint: 'asset names are unique across sources, SQL and TypeScript models (ignoring case); rename one',
      }),
    );
  }
  return new Map([...byLowerName.values()].map((asset) => [asset.name, asset]));
}

/** Declared inputs per asset, written as the assets are actually named (they are typed by hand). */
function resolveDeclaredInputs(results: FileLoadResult[], assets: Map<string, AssetSpec>, problems: WeirError[]): Map<string, string[]> {
  const lowerNames = new Map([...assets.keys()].map((name) => [name.toLowerCase(), name]));
  const resolved = new Map<string, string[]>();
  for (const result of results) {
    for (const [assetName, declared] of result.declaredInputs) {
      const names = declared.map((input) => resolveDeclared(input, assetName, lowerNames, problems));
      resolved.set(assetName, [...new Set(names.filter((name): name is string => name !== undefined))]);
    }
  }
  return resolved;
}

function resolveDeclared(input: DeclaredInput, assetName: string, lowerNames: Map<string, string>, problems: WeirError[]): string | undefined {
  const found = lowerNames.get(input.name.toLowerCase());
  if (found === undefined) {
    problems.push(
      new WeirError('ASSET_UNKNOWN', `"${assetName}" declares input "${input.name}", which is not an asset of this project`, {
        location: input.location,
        hint: didYouMean(input.name, lowerNames.values()),
      }),
    );
  }
  return found;
}

function mayBeInFailedFile(problem: WeirError): WeirError {
  if (problem.code !== 'ASSET_UNKNOWN') return problem;
  const hint = [problem.hint, 'or it is defined in a file that failed to load'].filter(Boolean).join('; ');
  return new WeirError(problem.code, problem.message, { ...(problem.location === undefined ? {} : { location: problem.location }), hint });
}

function tryGraph(project: Project, problems: WeirError[]): AssetGraph | undefined {
  try {
    return buildAssetGraph(project);
  } catch (error) {
    if (error instanceof WeirError && error.code === 'GRAPH_CYCLE') {
      problems.push(error);
      return undefined;
    }
    // An edge to an unknown asset is already among the problems, named where it was written.
    if (error instanceof WeirError && problems.length > 0) return undefined;
    throw error;
  }
}

async function validateColumns(project: Project, graph: AssetGraph, statements: Map<string, unknown>, problems: WeirError[]): Promise<void> {
  const inferred = await inferOutputColumns(project.assets, graph, { statements });
  const known = new Map(
    // A guessed name (an unaliased cast) could be spelled otherwise by DuckDB: judge only certain lists.
    [...inferred].map(([name, columns]) => [name, { columns: columns.columns.map((column) => column.name), complete: columns.complete && columns.columns.every((column) => column.nameCertain) }]),
  );
  validateCheckColumns(project.assets, known, problems);
  validatePartitionColumns(project.assets, known, problems);
  validateDeclaredLineageColumns(project.assets, known, problems);
}

/** A model's `pool:` must be declared in weir.yaml's `pools:`, where its limit is. */
function undeclaredPools(project: Project): WeirError[] {
  const declared = Object.keys(project.pools ?? {});
  return [...project.assets.values()].flatMap((asset) => {
    if (asset.kind !== 'sql' || asset.pool === undefined || declared.includes(asset.pool)) return [];
    const hint = didYouMean(asset.pool, declared) ?? `declare it in weir.yaml: pools: { ${asset.pool}: 2 } (the most jobs it may run at once)`;
    return [new WeirError('CONFIG_INVALID', `${asset.name}: pool "${asset.pool}" is not declared in weir.yaml`, { location: asset.poolAt ?? { file: asset.file, line: asset.line }, hint })];
  });
}
