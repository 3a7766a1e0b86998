/**
 * The public entry of `@weir/core`. Names are exported one by one (no barrels) so that what the
 * apps may use is a deliberate list; everything else is internal.
 */
// Errors
export { WeirError, isWeirError, messageOf, formatLocation } from './errors/weir-error.js';
export type { WeirErrorCode, SourceLocation } from './errors/weir-error.js';
export { didYouMean, closestName } from './errors/closest-name.js';

// Definitions (what project code imports)
export { defineAsset, isAssetDefinition } from './definitions/asset-definition.js';
export type { AssetContext, AssetDefinition, AssetOptions, AssetRow } from './definitions/asset-definition.js';
export type { CheckSpec, CheckSeverity, CheckType } from './definitions/check-spec.js';

// Events
export { eventTime } from './events/weir-event.js';
export type { WeirEvent, WeirEventType, StoredEvent, RunStatus, StepStatus, SkipReason, RecordedError } from './events/weir-event.js';

// Project and graph
export { loadProject } from './project/load-project.js';
export type { LoadProjectOptions } from './project/load-project.js';
export type { Project, AssetSpec, SqlAsset, TypeScriptAsset, FileSourceAsset, Materialization, ProjectDefaults } from './project/project-model.js';
export { buildAssetGraph } from './graph/build-asset-graph.js';
export type { AssetGraph } from './graph/asset-graph.js';
export { selectAssets } from './graph/select-assets.js';
export type { Selection } from './graph/select-assets.js';

// Plan
export { buildPlan, inputsOf, dependencyOrder } from './plan/build-plan.js';
export type { RunPlan, PlanStep, StepAction } from './plan/build-plan.js';
export { physicalRelation, environmentView, VERSIONS_SCHEMA } from './plan/physical-names.js';

// Execution
export { runProject, newRunId, runLockPath } from './execution/run-project.js';
export type { RunProjectOptions } from './execution/run-project.js';
export type { RunResult } from './execution/execute-plan.js';
export { recoverCrashedRuns } from './execution/recover-crashed-runs.js';
export { acquireProjectLock } from './execution/project-lock.js';
export type { LockHolder, ProjectLock } from './execution/project-lock.js';
export { rollbackAsset, unpinAsset } from './execution/rollback-asset.js';
export type { RollbackResult } from './execution/rollback-asset.js';
export { collectGarbage } from './execution/collect-garbage.js';
export type { GarbageItem } from './execution/collect-garbage.js';

// Engines
export type { EngineAdapter, EngineSession, EngineCapabilities, RelationRef, ColumnInfo, Row, FileReadOptions } from './engines/engine-adapter.js';
export { openDuckDBAdapter } from './engines/duckdb/duckdb-adapter.js';
export { openPostgresAdapter } from './engines/postgres/postgres-adapter.js';

// State
export type { StateStore, RunRecord, StepRecord, VersionRecord, PointerRecord, CheckResultRecord } from './storage/state-store.js';
export { openSqliteStateStore } from './storage/sqlite/open-sqlite-state-store.js';
export { openPostgresStateStore } from './storage/postgres/open-postgres-state-store.js';
