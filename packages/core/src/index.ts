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
export { defineCheck } from './definitions/define-check.js';
export type { CheckArguments, CheckDeclaration } from './definitions/define-check.js';
export type { AssetContext, AssetDefinition, AssetOptions, AssetRow } from './definitions/asset-definition.js';
export type { AssetPartition, AssetPartitioning, ColumnLineageDeclaration, InputColumn } from './definitions/asset-definition.js';
export { defineSource, isSourceDefinition } from './definitions/source-definition.js';
export { defineSensor, isSensorDefinition } from './definitions/sensor-definition.js';
export type { SensorContext, SensorCursor, SensorDefinition, SensorOptions, SensorResult, SensorRunRequest } from './definitions/sensor-definition.js';
export type { SourceContext, SourceDefinition, SourceOptions, SourceRecord, SourceSchemaPolicy, SourceYield } from './definitions/source-definition.js';
export type { CheckSpec, CheckSeverity, CheckType } from './definitions/check-spec.js';

// Events
export { eventTime } from './events/weir-event.js';
export type {
  WeirEvent,
  WeirEventType,
  StoredEvent,
  RunStatus,
  StepStatus,
  SkipReason,
  RecordedError,
  MeasuredMetric,
  MetricsMeasuredEvent,
  SpcRebaselinedEvent,
  RowsQuarantinedEvent,
  QuarantineReplayedEvent,
} from './events/weir-event.js';

// Project and graph
export { loadProject } from './project/load-project.js';
export { projectVersion, workerCodeVersion } from './project/project-version.js';
export type { LoadProjectOptions } from './project/load-project.js';
export type { Project, AssetSpec, SqlAsset, TypeScriptAsset, FileSourceAsset, Materialization, ProjectDefaults } from './project/project-model.js';
export { buildAssetGraph } from './graph/build-asset-graph.js';
export type { AssetGraph } from './graph/asset-graph.js';
export { selectAssets } from './graph/select-assets.js';
export type { Selection } from './graph/select-assets.js';
export { inferOutputColumns } from './graph/infer-output-columns.js';
export type { InferOutputColumnsOptions } from './graph/infer-output-columns.js';
export { columnPresence } from './graph/output-columns.js';
export type { AssetColumns, OutputColumn, ColumnSource } from './graph/output-columns.js';
export type { DescribeSource, DescribedColumns } from './graph/input-asset-columns.js';

// Column-level lineage and impact analysis
export { buildProjectLineage, ProjectLineage } from './lineage/project-lineage.js';
export type { ProjectLineageOptions } from './lineage/project-lineage.js';
// For describing a file source's files (`describeSource`) with an in-memory DuckDB.
export { readerCall } from './engines/duckdb/duckdb-file-reader.js';
export { toDuckDBParams } from './engines/duckdb/duckdb-values.js';
export type { AssetLineage, ColumnLineage, LineageEdgeKind, LineageNode, LineageStep, LineageWalk, ReachedNode, UpstreamEdge } from './lineage/lineage-model.js';

// Checks: quarantine
export { quarantineRelation, countReplayable } from './execution/quarantine-rows.js';
export { quarantines, QUARANTINE_COLUMNS } from './checks/quarantine-sql.js';

// Checks: statistical process control (pure math; the spc check and metric events wire it)
export { buildControlChart } from './checks/spc/control-chart.js';
export { judgeNewestPoint } from './checks/spc/judge-newest-point.js';
export { defaultSpcConfig, monitorSpcConfig, SPC_MONITOR_DEFAULTS, SPC_RULES } from './checks/spc/spc-config.js';
export type { SpcConfig, SpcConfigInput, SpcRule, SpcDirection, SpcSeasonality, SpcMonitorKind } from './checks/spc/spc-config.js';
export type { SpcPoint, SpcSeriesInput, SpcChart, SpcChartPoint, SpcViolation, SpcJudgement, SpcLimits, SpcBaseline, SpcSeasonLimits, SpcStatus, SpcPhase, SpcZone, SpcSide } from './checks/spc/spc-types.js';
export { computeXmrLimits } from './checks/spc/xmr-limits.js';
export type { XmrNumbers } from './checks/spc/xmr-limits.js';
// Deterministic simulated metric histories, for tests at every level (the issue #3 scenario).
export { mulberry32, normalFrom, simulateDailyBuilds, scenarioSeries, SCENARIO_METRICS } from './checks/spc/simulated-series.js';
export type { SimulatedBuild, SimulationOptions, ScenarioMetric, ScenarioMetricSpec } from './checks/spc/simulated-series.js';

// Checks: profiling and suggested checks (`weir profile`, `weir checks suggest`)
export { profileRelation, PROFILE_DEFAULTS } from './checks/profile-relation.js';
export type { ProfileTarget, ProfileOptions, RelationProfile, ColumnProfile, ColumnValues } from './checks/profile-relation.js';
export type { ColumnCategory } from './checks/column-category.js';
export type { DetectedPattern, PatternName, ParseTarget } from './checks/detect-patterns.js';
export type { ValueCount } from './checks/sample-statistics.js';
export { suggestChecks } from './checks/suggest-checks.js';
export type { SuggestedCheck, SuggestedCondition, CheckSuggestions, SuggestOptions } from './checks/suggest-checks.js';
export { renderChecksFile, suggestedCheckItem } from './checks/render-suggested-checks.js';
export { withoutDeclaredChecks, checkNamesInFile } from './checks/declared-checks.js';
export type { DeclaredCheck } from './checks/declared-checks.js';
export type { SuggestionProvenance } from './checks/render-suggested-checks.js';

// Plan
export { buildPlan, inputsOf, dependencyOrder } from './plan/build-plan.js';
export type { RunPlan, PlanStep, StepAction } from './plan/build-plan.js';
export { physicalRelation, environmentView, VERSIONS_SCHEMA } from './plan/physical-names.js';
export { highWaterMark } from './connectors/ingest-table.js';
export type { TableConnector, ConnectorCapabilities, ReadRequest } from './connectors/connector.js';
export { openPostgresConnector } from './connectors/postgres/postgres-connector.js';
export { openMysqlConnector } from './connectors/mysql/mysql-connector.js';
export type { StreamConnector, StreamMessage } from './connectors/streams/stream-connector.js';
export { ingestStream } from './connectors/streams/ingest-stream.js';
export type { StreamLoadOptions, StreamProgress } from './connectors/streams/ingest-stream.js';
export { openStreamConnector } from './connectors/streams/open-stream-connector.js';
export { ensureLanding, landingRelation, storedPositions } from './connectors/streams/stream-landing.js';
export { columnName } from './connectors/records/flatten-record.js';
export { replayDeadLetters } from './connectors/streams/replay-dead-letters.js';
export type { ReplayResult } from './connectors/streams/replay-dead-letters.js';
export { listDeadLetters, DEAD_LETTERS } from './connectors/records/dead-letters.js';
export type { DeadLetter } from './connectors/records/dead-letters.js';

// Execution
export { runProject, newRunId, runLockPath } from './execution/run-project.js';
export type { RunProjectOptions } from './execution/run-project.js';
export type { RunResult } from './execution/execute-plan.js';
export { recoverAndNotifyCrashedRuns, recoverCrashedRuns } from './execution/recover-crashed-runs.js';
export { parseDuration } from './project/duration.js';
export { acquireProjectLock, processAlive, processStartTicks } from './execution/project-lock.js';
export type { LockHolder, ProjectLock } from './execution/project-lock.js';
export { rollbackAsset, unpinAsset } from './execution/rollback-asset.js';
export type { RollbackResult } from './execution/rollback-asset.js';
export { spcChartFor, spcSeriesFor, rebaselineSpc, resolveSpcSeries, seriesLabel } from './execution/spc-chart.js';
export type { SpcSeriesView, SpcWatcher, SpcRebaselineRequest, SpcChartStore, ResolvedSpcSeries } from './execution/spc-chart.js';
export { collectGarbage } from './execution/collect-garbage.js';
export type { GarbageItem } from './execution/collect-garbage.js';

// Model unit tests (tests/*.yaml)
export { loadModelTests } from './model-tests/load-model-tests.js';
export { runModelTests, runModelTest, resultLocation } from './model-tests/run-model-tests.js';
export type { ModelTestResult, TestEngineFactory, RunModelTestsOptions } from './model-tests/run-model-tests.js';
export type { ModelTest } from './model-tests/model-test-spec.js';
export type { RowDiff, DiffRow } from './model-tests/compare-rows.js';

// Engines
export type { EngineAdapter, EngineSession, EngineCapabilities, RelationRef, ColumnInfo, Row, FileReadOptions } from './engines/engine-adapter.js';
export { openDuckDBAdapter } from './engines/duckdb/duckdb-adapter.js';
export { openPostgresAdapter } from './engines/postgres/postgres-adapter.js';

// State
export type {
  StateStore,
  RunRecord,
  StepRecord,
  VersionRecord,
  PointerRecord,
  CheckResultQuery,
  CheckResultRecord,
  MetricSeriesKey,
  MetricSeriesQuery,
  MetricPointRecord,
  LatestMetricRecord,
} from './storage/state-store.js';
export { openSqliteStateStore } from './storage/sqlite/open-sqlite-state-store.js';
export { openPostgresStateStore } from './storage/postgres/open-postgres-state-store.js';

// Orchestration: schedules and sensors (decisions only; `weir serve` queues the requests)
export type { ScheduleSpec, SensorSpec, TriggerSpec, TriggerSelection, TypeScriptSensorSpec } from './project/trigger-specs.js';
export type { TriggerEvent, TriggerKind } from './events/trigger-events.js';
export type { TriggerStateRecord } from './storage/state-store.js';
export type { ApiTokenRecord } from './storage/state-store.js';
export type { ApiRole, ApiAccessEvent, ApiCallEvent, ApiTokenCreatedEvent, ApiTokenRevokedEvent } from './events/api-token-events.js';
export { apiRoles } from './events/api-token-events.js';
export type { FeedbackRecord, FeedbackQuery } from './storage/state-store.js';
export type { FeedbackEvent, FeedbackKind, FeedbackStatus, FeedbackSubmittedEvent, FeedbackStatusChangedEvent } from './events/feedback-events.js';
export { feedbackKinds, feedbackLimits, feedbackStatuses } from './events/feedback-events.js';
export { feedbackProblem } from './events/feedback-problem.js';
export type { AssetFeedbackBody, FeedbackBody, FeedbackListBody, FeedbackStatusChangeBody, FeedbackSubmissionBody, TrustSummaryBody } from './api/feedback-types.js';
export { ManualClock, systemClock } from './orchestration/clock.js';
export type { Clock } from './orchestration/clock.js';
export type { RunRequest } from './orchestration/run-request.js';
export { dueScheduleTicks, nextFireTimes, scheduleRunRequest, formatInZone } from './orchestration/schedule-ticks.js';
export { TriggerEvaluator, isPaused } from './orchestration/trigger-evaluator.js';
export type { TriggerEvaluation, TriggerEvaluatorOptions } from './orchestration/trigger-evaluator.js';
export { listTriggers } from './orchestration/trigger-listing.js';
export type { ScheduleListing, SensorListing, FireTime } from './orchestration/trigger-listing.js';
export { newestSensorFailures, stillFailing, SENSOR_FAILURES_READ } from './orchestration/sensor-failures.js';
export type { SensorFailure } from './orchestration/sensor-failures.js';
export { setTriggerPaused } from './orchestration/pause-trigger.js';

// Partitions and backfills
export type { PartitionSpec, PartitionWindow, PartitionGranularity } from './partitions/partition-spec.js';
export { partitionKeys, partitionKey, partitionWindow } from './partitions/partition-keys.js';
export type { PartitionRecord, BackfillRecord } from './storage/state-store.js';
export type { BackfillAssetTasks } from './events/weir-event.js';
export { planBackfill, backfillTaskStatuses, countTasks } from './backfill/plan-backfill.js';
export type { BackfillPreview, BackfillTask, BackfillTaskStatus } from './backfill/plan-backfill.js';
export { requestBackfill, newBackfillId } from './backfill/request-backfill.js';
export { runBackfill, backfillStatus } from './backfill/run-backfill.js';
export type { BackfillResult, RunBackfillOptions } from './backfill/run-backfill.js';
export { executePartitionTask } from './backfill/execute-partition-task.js';
export type { PartitionTaskOptions } from './backfill/execute-partition-task.js';

// Run queue (local: SQLite beside the state; team: PostgreSQL)
export { openSqliteJobQueue } from './queue/sqlite/open-sqlite-job-queue.js';
export { openPostgresJobQueue } from './queue/postgres/open-postgres-job-queue.js';
export { checkWorkerVersion } from './queue/worker-version.js';
export type { JobQueue, JobRecord, ClaimedJob, EnqueueOptions, JsonValue, WorkerInfo, WorkerRecord } from './queue/job-queue.js';

// Backfills through the run queue (team mode: `weir worker` processes)
export { assetPool, enqueueBackfill, runBackfillJob, followQueuedBackfill, backfillJobKey, BACKFILL_JOB_KIND } from './backfill/queue-backfill.js';
export type { BackfillJobPayload, BackfillJobOptions } from './backfill/queue-backfill.js';
// Runs through the run queue, a step per job (team mode: `weir run --workers`)
export { executePlanOnWorkers, runStepJobKey } from './execution/queued-run.js';
export type { QueuedRunOptions } from './execution/queued-run.js';
export { runStepJob, RUN_STEP_JOB_KIND } from './execution/run-step-job.js';
export type { RunStepJobPayload, RunStepJobOptions, QueuedStep } from './execution/run-step-job.js';

// Notifications
export { NOTIFICATION_EVENT_KINDS } from './events/notification-events.js';
export type { NotificationEvent, NotificationEventKind, NotificationSentEvent, NotificationFailedEvent } from './events/notification-events.js';
export type { NotificationSpec, WebhookTarget } from './project/notification-specs.js';
export type { Notification, RunFinishedNotification, BackfillFinishedNotification, NotificationSubscriber, DeliveryOutcome } from './notifications/notification.js';
export { WebhookSubscriber, WEBHOOK_POLICY } from './notifications/webhook-subscriber.js';
export type { WebhookPolicy } from './notifications/webhook-subscriber.js';
export { deliverNotification } from './notifications/deliver-notification.js';
export type { NotificationDelivery } from './notifications/deliver-notification.js';
export { notifyRunFinished, notifyBackfillFinished } from './notifications/notify-finished.js';
export type { NotifyOptions } from './notifications/notify-finished.js';

// OpenLineage
export type { OpenLineageEmissionEvent, OpenLineageEmittedEvent, OpenLineageFailedEvent } from './events/openlineage-events.js';
export type { OpenLineageSpec, OpenLineageTransport, OpenLineageFileTransport, OpenLineageHttpTransport } from './project/openlineage-spec.js';
export type { LineageRunEvent, LineageDataset, LineageOutputDataset, LineageEventType, Facet } from './openlineage/openlineage-event.js';
export { WEIR_PRODUCER, OPENLINEAGE_SCHEMA_URL } from './openlineage/openlineage-event.js';
export { runLineageEvents } from './openlineage/run-lineage-events.js';
export type { RunLineageInput } from './openlineage/run-lineage-events.js';
export { emitRunLineage } from './openlineage/emit-run-lineage.js';
export type { EmitRunLineageOptions, RunLineageEmission } from './openlineage/emit-run-lineage.js';
export { lineageTransport, FileLineageTransport, HttpLineageTransport, LINEAGE_HTTP_POLICY } from './openlineage/lineage-transports.js';
export type { LineageTransport, LineageHttpPolicy, EmissionOutcome } from './openlineage/lineage-transports.js';
export { warehouseNaming, datasetName } from './openlineage/dataset-naming.js';
export type { WarehouseNaming } from './openlineage/dataset-naming.js';

// The server's API bodies (the web app imports only these)
export type { AssetState, AssetSummary, AssetDetail, CheckResultBody, VersionBody, RunSummary, RunDetail, ProjectBody, ErrorResponse } from './api/api-types.js';
export type { SpcChartBody, CheckHistoryBody } from './api/api-types.js';
export type { RunSubmittedBody } from './api/api-types.js';
export type { KpisBody, KpiValue, KpiPoint, DeliveryTimeKpi, ErrorRateKpi, TimeToResolveKpi } from './api/kpi-types.js';

// DataOps KPIs and the freshness ("stale") state of assets
export { computeKpis, foldKpis } from './kpis/compute-kpis.js';
export type { KpiOptions } from './kpis/compute-kpis.js';
export { readKpiHistory, KPI_MAX_RUNS } from './kpis/kpi-history.js';
export type { KpiHistory, KpiRun } from './kpis/kpi-history.js';
export { assetStaleness } from './kpis/asset-staleness.js';
export type { StalenessInput } from './kpis/asset-staleness.js';
export { freshnessExpectation } from './kpis/freshness-expectation.js';
export type { FreshnessExpectation } from './kpis/freshness-expectation.js';
export type { CatalogSearchBody } from './api/catalog-types.js';

// The catalog: entries per asset and full-text search over them
export { catalogEntries } from './catalog/catalog-entry.js';
export type { CatalogEntry, CatalogColumn, CatalogColumnSources } from './catalog/catalog-entry.js';
export { searchCatalog } from './catalog/catalog-search.js';
export type { CatalogField, CatalogMatch, CatalogHit, CatalogSearchResult } from './catalog/catalog-search.js';
export { catalogQuery, MAX_CATALOG_QUERY } from './catalog/catalog-query.js';
export type { LineageBody, LineageDirection, LineageEdgeBody, LineageEdgeKindBody, LineageColumnBody, LineageReachedBody, AssetLineageBody } from './api/lineage-types.js';
export type { DataPreviewBody, RollbackRequest, RollbackBody, UnpinBody } from './api/asset-data-types.js';
export type { GraphBody, GraphNodeBody, GraphEdgeBody, MeBody } from './api/graph-types.js';
export type { TriggersBody, TriggerBody, TriggerPauseBody, TriggerRunBody, TriggerFailureBody, FireTimeBody, BackfillSummaryBody, BackfillDetailBody, BackfillTaskStateBody } from './api/orchestration-types.js';
