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
    },
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'a token of `weir tokens create <name> --role viewer|editor|admin`: viewers read, editors also start and cancel runs, admins do everything; 401 UNAUTHORIZED without a valid one, 403 FORBIDDEN when its role is too weak',
        },
      },
      schemas: {
        ErrorResponse: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } } } },
        ProjectBody: { type: 'object', required: ['name', 'environment', 'engine', 'assets'] },
        AssetSummary: { type: 'object', required: ['name', 'kind', 'state', 'upstream'] },
        AssetSummaryList: { type: 'array', items: { $ref: '#/components/schemas/AssetSummary' } },
        AssetDetail: { type: 'object', required: ['name', 'columns', 'versions', 'checks', 'downstream'] },
        RunSummary: { type: 'object', required: ['runId', 'status', 'command', 'startedAt'] },
        RunSummaryList: { type: 'array', items: { $ref: '#/components/schemas/RunSummary' } },
        RunDetail: { type: 'object', required: ['runId', 'steps', 'checks'] },
        SpcChartBody: { type: 'object', required: ['metric', 'status', 'centre', 'upperLimit', 'lowerLimit', 'points', 'violations', 'config'] },
        CheckResultBody: { type: 'object', required: ['check', 'checkType', 'severity', 'passed', 'detail', 'version', 'runId', 'at'] },
        CheckHistoryBody: { type: 'array', items: { $ref: '#/components/schemas/CheckResultBody' } },
      },
    },
  };
}
