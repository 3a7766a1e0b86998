/**
 * The transports with real runs: the file transport writes one valid JSON per line (and keeps its
 * lines whole after another writer's partial line); the HTTP transport POSTs every event, in
 * order, to a real HTTP server on 127.0.0.1, retries what may pass, and gives up within bounds.
 * An endpoint that is down, refuses or hangs never changes a run's outcome, and is recorded.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenLineageEmissionEvent } from '../events/openlineage-events.js';
import type { StoredEvent } from '../events/weir-event.js';
import { runProject } from '../execution/run-project.js';
import { buildAssetGraph } from '../graph/build-asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import { loadProject } from '../project/load-project.js';
import { closeProjectHarness, openProjectHarness, type ProjectHarness } from '../testing/project-harness.js';
import { startRecordingHookServer, unreachableHookUrl, type HookAnswer, type RecordingHookServer } from '../testing/recording-hook-server.js';
import { FileLineageTransport } from './lineage-transports.js';
import type { LineageRunEvent } from './openlineage-event.js';

const MODELS = {
  'data/orders.csv': 'id,amount\n1,10\n2,5\n',
  'sources/files.yaml': 'tables:\n  - name: raw_orders\n    path: data/orders.csv\n    columns: { id: BIGINT, amount: DOUBLE }\n',
  'models/orders.sql': 'select id, amount from raw_orders\n',
};

const opened: ProjectHarness[] = [];
const hooks: RecordingHookServer[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) await closeProjectHarness(h);
  for (const hook of hooks.splice(0)) await hook.close();
});

async function hookServer(...answers: HookAnswer[]): Promise<RecordingHookServer> {
  const hook = await startRecordingHookServer(answers);
  hooks.push(hook);
  return hook;
}

async function open(openlineage: string[]): Promise<ProjectHarness> {
  const h = await openProjectHarness({ ...MODELS, 'weir.yaml': ['name: shop', 'openlineage:', ...openlineage].join('\n') + '\n' });
  opened.push(h);
  return h;
}

async function run(h: ProjectHarness, env: Record<string, string> = {}) {
  const project = await loadProject(h.root, { env });
  const selected = selectAssets(buildAssetGraph(project), project, { select: [], exclude: [] });
  return runProject({ project, engine: h.engine, store: h.store, selected, selection: [], exclusion: [], command: 'run', signal: new AbortController().signal });
}

const emissions = (events: StoredEvent[]): OpenLineageEmissionEvent[] =>
  events.filter((event): event is OpenLineageEmissionEvent & { id: number } => event.type === 'openlineage_emitted' || event.type === 'openlineage_failed');

const SEQUENCE = ['START shop', 'START shop.raw_orders', 'COMPLETE shop.raw_orders', 'START shop.orders', 'COMPLETE shop.orders', 'COMPLETE shop'];
const sequence = (events: LineageRunEvent[]): string[] => events.map((event) => `${event.eventType} ${event.job.name}`);

describe('file transport', () => {
  it('writes one valid JSON event per line, appending run after run', async () => {
    const h = await open(['  transport: { type: file, path: lineage/events.ndjson }', '  namespace: weir://analytics']);
    await run(h);
    await run(h);
    const text = readFileSync(join(h.root, 'lineage', 'events.ndjson'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const events = text.trimEnd().split('\n').map((line) => JSON.parse(line) as LineageRunEvent);
    // The second run rebuilt nothing: only its own START and COMPLETE.
    expect(sequence(events)).toEqual([...SEQUENCE, 'START shop', 'COMPLETE shop']);
    expect(events.every((event) => event.job.namespace === 'weir://analytics')).toBe(true);
    expect(new Set(events.map((event) => event.run.runId)).size).toBe(4);
  });

  it('a partial last line left by another writer stays on its own line; ours are whole', async () => {
    const h = await open(['  transport: file']);
    mkdirSync(join(h.root, '.weir'), { recursive: true });
    writeFileSync(join(h.root, '.weir', 'openlineage.ndjson'), '{"eventType":"START","cut short');
    await run(h);
    const lines = readFileSync(join(h.root, '.weir', 'openlineage.ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('{"eventType":"START","cut short');
    expect(sequence(lines.slice(1).map((line) => JSON.parse(line) as LineageRunEvent))).toEqual(SEQUENCE);
  });

  it('a path that cannot be written is recorded as failed and the run still succeeds', async () => {
    const h = await open(['  transport: { type: file, path: data/orders.csv/events.ndjson }']);
    const result = await run(h);
    expect(result.status).toBe('succeeded');
    expect(emissions(await h.store.events({ runId: result.runId }))).toEqual([
      expect.objectContaining({ type: 'openlineage_failed', transport: 'file', target: 'data/orders.csv/events.ndjson', sent: 0, events: 6, error: expect.stringContaining('could not append to data/orders.csv/events.ndjson') }),
    ]);
  });

  it('emitting nothing writes nothing', async () => {
    const path = join(await (await open(['  transport: file'])).root, 'nothing.ndjson');
    expect(await new FileLineageTransport({ type: 'file', path, shownPath: 'nothing.ndjson' }).emit([])).toEqual({ delivered: true, sent: 0, attempts: 0 });
    expect(() => readFileSync(path)).toThrow();
  });
});

describe('HTTP transport', () => {
  it('POSTs every event of the run, in order, as JSON with the configured headers', async () => {
    const hook = await hookServer();
    const h = await open(['  transport:', '    type: http', `    url: ${hook.url}`, '    headers: { Authorization: "Bearer ${OL_TOKEN}" }']);
    const result = await run(h, { OL_TOKEN: 'tok-0123456789' });
    expect(result.status).toBe('succeeded');
    expect(hook.requests.every((request) => request.method === 'POST' && request.headers['content-type'] === 'application/json' && request.headers.authorization === 'Bearer tok-0123456789')).toBe(true);
    const received = hook.requests.map((request) => JSON.parse(request.body) as LineageRunEvent);
    expect(sequence(received)).toEqual(SEQUENCE);
    expect(emissions(await h.store.events({ runId: result.runId }))).toEqual([
      expect.objectContaining({ type: 'openlineage_emitted', transport: 'http', target: hook.url, events: 6, sent: 6, attempts: 6 }),
    ]);
  });

  it('retries an event the endpoint refused for now (503), and every event still arrives once', async () => {
    const hook = await hookServer(503);
    const h = await open(['  transport: { type: http, url: "' + hook.url + '" }']);
    const result = await run(h);
    expect(hook.requests).toHaveLength(7);
    expect(sequence(hook.requests.slice(1).map((request) => JSON.parse(request.body) as LineageRunEvent))).toEqual(SEQUENCE);
    expect(emissions(await h.store.events({ runId: result.runId }))).toEqual([expect.objectContaining({ type: 'openlineage_emitted', sent: 6, attempts: 7 })]);
  });

  it('an unreachable endpoint does not change the run, is recorded with the URL as written, and no secret', async () => {
    const url = await unreachableHookUrl();
    const h = await open(['  transport:', '    type: http', '    url: ' + url + '?key=${OL_KEY}']);
    const result = await run(h, { OL_KEY: 'secret-key-42' });
    expect(result.status).toBe('succeeded');
    expect(result.summary).toMatchObject({ succeeded: 2 });
    const [failed] = emissions(await h.store.events({ runId: result.runId }));
    expect(failed).toMatchObject({ type: 'openlineage_failed', transport: 'http', target: `${url}?key=\${OL_KEY}`, events: 6, sent: 0, attempts: 3 });
    if (failed?.type !== 'openlineage_failed') return;
    expect(failed.error).toContain(`could not reach ${url}?key=\${OL_KEY}`);
    expect(failed.error).toContain('0 of 6 events sent');
    expect(JSON.stringify(await h.store.events({ runId: result.runId }))).not.toContain('secret-key-42');
  });

  it('a client error (400) is not retried: the emission stops at the first event', async () => {
    const hook = await hookServer(400);
    const h = await open(['  transport: { type: http, url: "' + hook.url + '" }']);
    const result = await run(h);
    expect(result.status).toBe('succeeded');
    expect(hook.requests).toHaveLength(1);
    expect(emissions(await h.store.events({ runId: result.runId }))).toEqual([
      expect.objectContaining({ type: 'openlineage_failed', statusCode: 400, sent: 0, attempts: 1, error: expect.stringContaining('HTTP 400') }),
    ]);
  });

  it('an endpoint that never answers is given up after its timeout and attempts', async () => {
    const hook = await hookServer('hang', 'hang', 'hang');
    const h = await open(['  transport: { type: http, url: "' + hook.url + '", timeout_seconds: 0.2 }']);
    const result = await run(h);
    expect(result.status).toBe('succeeded');
    expect(emissions(await h.store.events({ runId: result.runId }))).toEqual([
      expect.objectContaining({ type: 'openlineage_failed', sent: 0, attempts: 3, error: expect.stringContaining(`no answer from ${hook.url} within 200 ms`) }),
    ]);
  });

  it('an environment variable that is not set disables emission, named in the log, and the run goes on', async () => {
    const h = await open(['  transport: { type: http, url: "${OL_URL}" }']);
    const result = await run(h);
    expect(result.status).toBe('succeeded');
    expect(emissions(await h.store.events({ runId: result.runId }))).toEqual([
      expect.objectContaining({ type: 'openlineage_failed', target: '${OL_URL}', attempts: 0, error: 'not sent: environment variable "OL_URL" is not set where weir ran' }),
    ]);
  });
});
