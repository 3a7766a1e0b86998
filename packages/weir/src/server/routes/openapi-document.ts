/**
 * The OpenAPI 3.1 description of the server's API, written by hand beside the routes (the routes
 * are few; a generator would be a dependency for little). `api-routes.test.ts` checks that every
 * route the app answers is described here and the other way round.
 */

const json = (schema: string) => ({ description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
const stream = { description: 'server-sent events', content: { 'text/event-stream': { schema: { type: 'string' } } } };
const errors = { default: { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } } };
const nameParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

/** Every path the API answers, with its methods. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Weir server API', version: '0.1.0', description: 'Served by `weir serve`. Bodies are described by the types in packages/core/src/api/api-types.ts.' },
    // A token is optional only in local mode (loopback, no --auth); see docs/server.md.
    security: [{ bearerToken: [] }, {}],
    paths: {
      '/api/health': { get: { summary: 'the server is up, for which project', security: [], responses: { 200: { description: 'OK' }, ...errors } } },
      '/api/project': { get: { summary: 'what the project is', responses: { 200: json('ProjectBody'), ...errors } } },
      '/api/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OK' } } } },
      '/api/assets': { get: { summary: 'every asset with its state', responses: { 200: json('AssetSummaryList'), ...errors } } },
      '/api/graph': {
        get: {
          summary: 'the asset graph laid out on the server (boxes and edge routes; states come from /api/assets), computed once per project structure; its version is the ETag',
          responses: { 200: json('GraphBody'), 304: { description: 'not modified (If-None-Match)' }, ...errors },
        },
      },
      '/api/me': { get: { summary: "the caller: its token's name and role, or null in local mode", responses: { 200: json('MeBody'), ...errors } } },
      '/api/kpis': {
        get: {
          summary: 'the DataOps KPIs of the environment over whole UTC days ending today (delivery time, uptime, quality score, error rate, time to resolve), each with a daily trend and the previous window for a delta; see docs/kpis.md',
          parameters: [{ name: 'days', in: 'query', required: false, description: 'window length in days (400 USAGE otherwise)', schema: { type: 'integer', minimum: 1, maximum: 365, default: 30 } }],
          responses: { 200: json('KpisBody'), ...errors },
        },
      },
      '/api/assets/{name}': { get: { summary: "an asset's page: columns, versions, checks, metrics, neighbours", parameters: [nameParam('name', 'asset name')], responses: { 200: json('AssetDetail'), ...errors } } },
      '/api/assets/{name}/metrics/{metric}': {
        get: {
          summary: 'the points of one metric series (for control charts)',
          parameters: [
            nameParam('name', 'asset name'),
            nameParam('metric', 'metric name, e.g. row_count or null_rate'),
            { name: 'column', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'partition', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'OK' }, ...errors },
        },
      },
      '/api/assets/{name}/spc/{metric}': {
        get: {
          summary: 'the control chart of one metric series, as `weir spc show <asset> <metric> --json` prints it: points with their verdicts, centre, limits, violations',
          parameters: [
            nameParam('name', 'asset name'),
            nameParam('metric', 'metric name: row_count, freshness_lag_hours, build_seconds, or a column metric as null_rate.email'),
            { name: 'column', in: 'query', required: false, description: 'the column of a column metric (instead of null_rate.email)', schema: { type: 'string' } },
            { name: 'partition', in: 'query', required: false, description: "one partition's series (default: the whole asset's)", schema: { type: 'string' } },
          ],
          responses: { 200: json('SpcChartBody'), ...errors },
        },
      },
      '/api/assets/{name}/checks': {
        get: {
          summary: "the asset's recent check results, newest first, across versions (check history)",
          parameters: [nameParam('name', 'asset name'), { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } }],
          responses: { 200: json('CheckHistoryBody'), ...errors },
        },
      },
      '/api/assets/{name}/preview': {
        get: {
          summary: 'the first rows of the live version (JSON-safe: big whole numbers and exact decimals as strings, dates as ISO strings); 404 VERSION_UNKNOWN when never built',
          parameters: [nameParam('name', 'asset name'), { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } }],
          responses: { 200: json('DataPreviewBody'), ...errors },
        },
      },
      '/api/assets/{name}/rollback': {
        post: {
          summary: 'point the environment at an earlier published version and pin it there, as weir rollback does (editor); 409 PROJECT_LOCKED while a run writes unless wait',
          parameters: [nameParam('name', 'asset name')],
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/RollbackRequest' } } } },
          responses: { 200: json('RollbackBody'), ...errors },
        },
      },
      '/api/assets/{name}/unpin': {
        post: {
          summary: 'let runs build and publish the asset again after a rollback, as weir unpin does (editor); released is false when it was not pinned',
          parameters: [nameParam('name', 'asset name')],
          responses: { 200: json('UnpinBody'), ...errors },
        },
      },
      '/api/lineage/{asset}': {
        get: {
          summary: 'column-level lineage and impact analysis, as weir lineage <asset>[.<column>] --json prints it: direct upstream of each column, and every node reached upstream and/or downstream, each edge exact, derived or unknown',
          parameters: [
            nameParam('asset', 'asset name'),
            { name: 'column', in: 'query', required: false, description: 'start from this column (default: the whole asset)', schema: { type: 'string' } },
            { name: 'direction', in: 'query', required: false, schema: { type: 'string', enum: ['upstream', 'downstream', 'both'], default: 'both' } },
            { name: 'depth', in: 'query', required: false, description: 'the most asset hops to report (default: no limit)', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          ],
          responses: { 200: json('LineageBody'), ...errors },
        },
      },
      '/api/search': {
        get: {
          summary: 'full-text search over the catalog: asset names, column names, tags, owners, kinds and descriptions; every word must match (prefixes, case-insensitive), field:word limits a word to a field; best first, with the matched fields and ranges to highlight',
          parameters: [
            { name: 'q', in: 'query', required: true, description: 'the search, e.g. email, cust tag:finance, col:customer_id (1 to 200 characters)', schema: { type: 'string', minLength: 1, maxLength: 200 } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 20 } },
          ],
          responses: { 200: json('CatalogSearchBody'), ...errors },
        },
      },
      '/api/runs': {
        get: {
          summary: 'recorded runs, newest first',
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['running', 'succeeded', 'failed', 'cancelled', 'crashed'] } },
          ],
          responses: { 200: json('RunSummaryList'), ...errors },
        },
        post: { summary: 'start a run (as weir run does against a server)', responses: { 202: { description: 'accepted: { runId }' }, ...errors } },
      },
      '/api/runs/{runId}': { get: { summary: 'a run with its steps and check results', parameters: [nameParam('runId', 'run id')], responses: { 200: json('RunDetail'), ...errors } } },
      '/api/runs/{runId}/events': { get: { summary: "the run's events from the log, live until it ends", parameters: [nameParam('runId', 'run id')], responses: { 200: stream, ...errors } } },
      '/api/runs/{runId}/stream': { get: { summary: "a run started through this server: its progress messages, live", parameters: [nameParam('runId', 'run id')], responses: { 200: stream, ...errors } } },
      '/api/runs/{runId}/cancel': { post: { summary: 'cancel a run started through this server', parameters: [nameParam('runId', 'run id')], responses: { 202: { description: 'accepted' }, ...errors } } },
      '/api/hooks/{name}': { post: { summary: "a webhook sensor's call (Authorization: Bearer <its token>)", parameters: [nameParam('name', 'webhook sensor name')], security: [], responses: { 202: { description: 'accepted: { queued, jobId, trigger }' }, ...errors } } },
      '/api/assets/{name}/feedback': {
        get: {
          summary: "consumers' feedback on the asset, newest first, with its trust summary (average rating, each named author's newest rating counted once; unresolved reports) and whether the caller may change report statuses",
          parameters: [nameParam('name', 'asset name'), { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } }],
          responses: { 200: json('AssetFeedbackBody'), ...errors },
        },
        post: {
          summary: 'rate trust in the asset (1-5), comment, or report a problem (a viewer may); a report is tracked as open. With tokens the author is the token name, in local mode the optional author field. 400 USAGE for a malformed body, 404 ASSET_UNKNOWN with a did-you-mean',
          parameters: [nameParam('name', 'asset name')],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/FeedbackSubmissionBody' } } } },
          responses: { 201: json('FeedbackBody'), ...errors },
        },
      },
      '/api/feedback': {
        get: {
          summary: 'problem reports across assets, newest first (the overview\'s open reports)',
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['open', 'acknowledged', 'resolved', 'unresolved', 'all'], default: 'unresolved' } },
            { name: 'asset', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
          ],
          responses: { 200: json('FeedbackListBody'), ...errors },
        },
      },
      '/api/feedback/{id}/status': {
        post: {
          summary: 'acknowledge, resolve or reopen a report, with an optional note (editor); 404 FEEDBACK_UNKNOWN for an unknown id, 400 for a rating or comment',
          parameters: [nameParam('id', 'feedback id')],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/FeedbackStatusChangeBody' } } } },
          responses: { 200: json('FeedbackBody'), ...errors },
        },
      },
      '/api/triggers': { get: { summary: 'every schedule and sensor (weir.yaml and sensors/*.ts) as weir schedules ls lists them: paused state, next fire times (in the zone and UTC), last tick, cursor, the newest failed evaluation (sensor_failed) and the runs each started', responses: { 200: json('TriggersBody'), ...errors } } },
      '/api/triggers/{name}/pause': { post: { summary: 'pause a schedule or sensor, as weir schedules pause (editor); 404 TRIGGER_UNKNOWN with a did-you-mean', parameters: [nameParam('name', 'schedule or sensor name')], responses: { 200: json('TriggerPauseBody'), ...errors } } },
      '/api/triggers/{name}/resume': { post: { summary: 'resume a schedule or sensor, as weir schedules resume (editor); a schedule counts ticks from now', parameters: [nameParam('name', 'schedule or sensor name')], responses: { 200: json('TriggerPauseBody'), ...errors } } },
      '/api/backfills': {
        get: {
          summary: 'backfills, newest first, with their status (interrupted when their process is gone) and task counts by state, as weir backfill ls',
          parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } }],
          responses: { 200: json('BackfillSummaryList'), ...errors },
        },
      },
      '/api/backfills/{id}': { get: { summary: 'a backfill with the state of every asset x partition task, as weir backfill show; 404 BACKFILL_UNKNOWN', parameters: [nameParam('id', 'backfill id or a unique prefix')], responses: { 200: json('BackfillDetailBody'), ...errors } } },
    },
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'a token of `weir tokens create <name> --role viewer|editor|admin`: viewers read and give feedback, editors also start and cancel runs, roll assets back, move feedback reports along and pause or resume schedules and sensors, admins do everything; 401 UNAUTHORIZED without a valid one, 403 FORBIDDEN when its role is too weak',
        },
      },
      schemas: {
        ErrorResponse: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } } } },
        ProjectBody: { type: 'object', required: ['name', 'environment', 'engine', 'assets'] },
        AssetSummary: { type: 'object', required: ['name', 'kind', 'state', 'upstream'], properties: { state: { enum: ['published', 'warning', 'stale', 'blocked', 'failed', 'never_built'] }, staleReason: { type: ['string', 'null'] } } },
        KpisBody: {
          type: 'object',
          required: ['environment', 'days', 'from', 'to', 'previousFrom', 'deliveryTime', 'uptime', 'qualityScore', 'errorRate', 'timeToResolve'],
          properties: {
            deliveryTime: { $ref: '#/components/schemas/KpiValue' },
            uptime: { $ref: '#/components/schemas/KpiValue' },
            qualityScore: { $ref: '#/components/schemas/KpiValue' },
            errorRate: { $ref: '#/components/schemas/KpiValue' },
            timeToResolve: { $ref: '#/components/schemas/KpiValue' },
          },
        },
        KpiValue: {
          type: 'object',
          required: ['value', 'previous', 'trend', 'samples'],
          properties: { value: { type: ['number', 'null'] }, previous: { type: ['number', 'null'] }, samples: { type: 'integer' }, trend: { type: 'array', items: { type: 'object', required: ['day', 'value'] } } },
        },
        AssetSummaryList: { type: 'array', items: { $ref: '#/components/schemas/AssetSummary' } },
        AssetDetail: { type: 'object', required: ['name', 'columns', 'versions', 'checks', 'downstream'] },
        CatalogSearchBody: {
          type: 'object',
          required: ['query', 'total', 'hits'],
          properties: {
            query: { type: 'string' },
            total: { type: 'integer' },
            hits: { type: 'array', items: { type: 'object', required: ['name', 'kind', 'score', 'matches'], properties: { matches: { type: 'array', items: { type: 'object', required: ['field', 'text', 'ranges'] } } } } },
          },
        },
        RunSummary: { type: 'object', required: ['runId', 'status', 'command', 'startedAt'] },
        RunSummaryList: { type: 'array', items: { $ref: '#/components/schemas/RunSummary' } },
        RunDetail: { type: 'object', required: ['runId', 'steps', 'checks'] },
        SpcChartBody: { type: 'object', required: ['metric', 'status', 'centre', 'upperLimit', 'lowerLimit', 'points', 'violations', 'config'] },
        CheckResultBody: { type: 'object', required: ['check', 'checkType', 'severity', 'passed', 'detail', 'version', 'runId', 'at'] },
        FeedbackBody: { type: 'object', required: ['id', 'asset', 'kind', 'rating', 'text', 'author', 'at', 'status'] },
        AssetFeedbackBody: { type: 'object', required: ['asset', 'trust', 'items', 'canChangeStatus'] },
        FeedbackListBody: { type: 'object', required: ['items', 'owners', 'canChangeStatus'] },
        FeedbackSubmissionBody: {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: {
            kind: { type: 'string', enum: ['rating', 'comment', 'report'] },
            rating: { type: 'integer', minimum: 1, maximum: 5, description: 'trust: required for a rating, optional otherwise' },
            text: { type: 'string', maxLength: 2000, description: 'required for a comment or report' },
            author: { type: 'string', maxLength: 100, description: 'local mode only; with a token its name is the author' },
          },
        },
        FeedbackStatusChangeBody: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string', enum: ['open', 'acknowledged', 'resolved'] }, note: { type: 'string', maxLength: 1000 } } },
        GraphBody: { type: 'object', required: ['version', 'width', 'height', 'nodes', 'edges'] },
        MeBody: { oneOf: [{ type: 'null' }, { type: 'object', required: ['token', 'role'] }] },
        CheckHistoryBody: { type: 'array', items: { $ref: '#/components/schemas/CheckResultBody' } },
        DataPreviewBody: { type: 'object', required: ['asset', 'environment', 'version', 'columns', 'rows', 'limit'] },
        RollbackRequest: { type: 'object', additionalProperties: false, properties: { version: { type: 'string', description: 'a version id or a unique prefix; absent: the version live before' }, wait: { type: 'boolean', description: 'queue behind a run in progress instead of 409' } } },
        RollbackBody: { type: 'object', required: ['asset', 'environment', 'from', 'to', 'pinned'] },
        UnpinBody: { type: 'object', required: ['asset', 'environment', 'released'], properties: { released: { type: 'boolean' } } },
        LineageBody: { type: 'object', required: ['asset', 'column', 'direction', 'depth', 'lineage'] },
        TriggersBody: { type: 'object', required: ['now', 'triggers'], properties: { triggers: { type: 'array', items: { type: 'object', required: ['name', 'kind', 'type', 'paused', 'pausedBy', 'next', 'lastTick', 'lastFailure', 'failing', 'recentRuns'] } } } },
        TriggerPauseBody: { type: 'object', required: ['name', 'kind', 'paused', 'changed'] },
        BackfillSummaryBody: { type: 'object', required: ['backfillId', 'status', 'environment', 'requestedAt', 'assets', 'counts', 'total'] },
        BackfillSummaryList: { type: 'array', items: { $ref: '#/components/schemas/BackfillSummaryBody' } },
        BackfillDetailBody: { type: 'object', required: ['backfillId', 'status', 'counts', 'tasks'] },
      },
    },
  };
}
