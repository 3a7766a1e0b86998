/**
 * Token authentication with roles on the API of `weir serve`, in-process against real storage
 * (SQLite state, DuckDB warehouse): 401 without a token or with a revoked one, viewers read but
 * cannot start or cancel runs (403 naming the role), editors can, every mutating call is in the
 * event log with the token's name, and local mode asks for nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiCallEvent } from '@weir/core';
import { createApiToken, revokeApiToken } from '../../src/server/api-tokens.js';
import { createServerApp } from '../../src/server/create-server-app.js';
import type { RunHub } from '../../src/server/run-hub.js';
import type { ProjectRuntime } from '../../src/runtime/project-runtime.js';
import { expectError, openServerHarness, type ServerHarness } from './server-harness.js';
import { shopFiles } from '../e2e/shop-fixture.js';
import { createWeirProject, type WeirTestProject } from '../e2e/weir-test-project.js';

let project: WeirTestProject;
let server: ServerHarness;
let runtime: ProjectRuntime;
let hub: RunHub;
let now = 0;
let authApp: ReturnType<typeof createServerApp>;
let localApp: ReturnType<typeof createServerApp>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  project = await createWeirProject(shopFiles());
  server = await openServerHarness(project.root);
  ({ runtime, hub } = server);
  // The token cache is timed by this clock, so a test moves time instead of waiting.
  authApp = createServerApp({ hub, view: server.view, health: server.health, auth: { required: true, clock: () => now } });
  localApp = server.app;
  for (const role of ['viewer', 'editor', 'admin'] as const) {
    tokens[role] = (await createApiToken(runtime.store, { name: `${role}-token`, role, by: 'test@host' })).token;
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

function call(app: ReturnType<typeof createServerApp>, method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return Promise.resolve(app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
}


async function apiCalls(): Promise<ApiCallEvent[]> {
  return (await runtime.store.events()).filter((event): event is ApiCallEvent & { id: number } => event.type === 'api_call').map(({ id: _id, at: _at, ...call }) => call as ApiCallEvent);
}

describe('with authentication on', () => {
  it('answers 401 UNAUTHORIZED without a token, with a malformed header and with an unknown token', async () => {
    const missing = await expectError(await call(authApp, 'GET', '/api/project'), 401, 'UNAUTHORIZED');
    expect(missing.message).toContain('Authorization: Bearer');
    await expectError(await call(authApp, 'POST', '/api/runs', undefined, {}), 401, 'UNAUTHORIZED');
    const basic = await authApp.request('/api/assets', { headers: { authorization: `Basic ${tokens.viewer!}` } });
    await expectError(basic, 401, 'UNAUTHORIZED');
    await expectError(await call(authApp, 'GET', '/api/assets', 'weir_notatoken'), 401, 'UNAUTHORIZED');
    // The hash is not a token: presenting what is stored opens nothing.
    const [stored] = await runtime.store.apiTokens();
    await expectError(await call(authApp, 'GET', '/api/assets', stored!.tokenHash), 401, 'UNAUTHORIZED');
  });

  it('leaves health and the webhook sensors (their own token) outside', async () => {
    expect((await call(authApp, 'GET', '/api/health')).status).toBe(200);
    // No webhook sensor in this app: the route itself answers, not the token check.
    await expectError(await call(authApp, 'POST', '/api/hooks/landing', undefined, {}), 404, 'RUN_UNKNOWN');
  });

  it('lets a viewer read but not start or cancel a run (403 naming the role needed)', async () => {
    const project = await call(authApp, 'GET', '/api/project', tokens.viewer);
    expect(project.status, await project.clone().text()).toBe(200);
    expect(await project.json()).toMatchObject({ name: 'e2e_shop' });
    expect((await call(authApp, 'GET', '/api/assets', tokens.viewer)).status).toBe(200);
    const openapi = (await (await call(authApp, 'GET', '/api/openapi.json', tokens.viewer)).json()) as { components: { securitySchemes: Record<string, unknown> } };
    expect(openapi.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const start = await expectError(await call(authApp, 'POST', '/api/runs', tokens.viewer, { select: ['orders'] }), 403, 'FORBIDDEN');
    expect(start.message).toContain('"viewer-token" is a viewer');
    expect(start.message).toContain('needs an editor token');
    await expectError(await call(authApp, 'POST', '/api/runs/r-any/cancel', tokens.viewer, {}), 403, 'FORBIDDEN');
    expect((await runtime.store.runs()).length).toBe(0);
  });

  it('lets an editor start a run and cancel, and records every mutating call with the token name', async () => {
    const before = (await apiCalls()).length;
    const started = await call(authApp, 'POST', '/api/runs', tokens.editor, {});
    expect(started.status, await started.clone().text()).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    expect(await hub.finished(runId)).toBe('succeeded');
    await expectError(await call(authApp, 'POST', '/api/runs/r-gone/cancel', tokens.editor, {}), 404, 'RUN_UNKNOWN');
    // An admin may do what an editor may.
    const admin = await call(authApp, 'POST', '/api/runs', tokens.admin, { command: 'check' });
    expect(admin.status, await admin.clone().text()).toBe(202);
    await hub.finished(((await admin.json()) as { runId: string }).runId);

    const calls = await apiCalls();
    expect(calls.slice(before)).toEqual([
      { type: 'api_call', method: 'POST', path: '/api/runs', token: 'editor-token', role: 'editor', status: 202 },
      { type: 'api_call', method: 'POST', path: '/api/runs/r-gone/cancel', token: 'editor-token', role: 'editor', status: 404 },
      { type: 'api_call', method: 'POST', path: '/api/runs', token: 'admin-token', role: 'admin', status: 202 },
    ]);
    // The refused viewer calls of the test before are recorded too; reads and 401s are not.
    expect(calls.filter((event) => event.token === 'viewer-token').map((event) => [event.path, event.status])).toEqual([
      ['/api/runs', 403],
      ['/api/runs/r-any/cancel', 403],
    ]);
    expect(calls.every((event) => event.method === 'POST' && event.token !== null)).toBe(true);
    // Nothing in the log holds a token, only hashes.
    expect(JSON.stringify(await runtime.store.events())).not.toContain(tokens.editor!);
  }, 60_000);

  it('stops accepting a revoked token once the token cache expires', async () => {
    const { token } = await createApiToken(runtime.store, { name: 'short-lived', role: 'viewer', by: 'test@host' });
    now += 5_000;
    expect((await call(authApp, 'GET', '/api/runs', token)).status).toBe(200);
    await revokeApiToken(runtime.store, { name: 'short-lived', by: 'test@host' });
    now += 1_001;
    await expectError(await call(authApp, 'GET', '/api/runs', token), 401, 'UNAUTHORIZED');
    // Other tokens are unaffected.
    expect((await call(authApp, 'GET', '/api/runs', tokens.viewer)).status).toBe(200);
  });
});

describe('local mode (loopback, no --auth)', () => {
  it('needs no token and records mutating calls without a name', async () => {
    expect((await call(localApp, 'GET', '/api/project')).status).toBe(200);
    const before = (await apiCalls()).length;
    await expectError(await call(localApp, 'POST', '/api/runs/r-gone/cancel', undefined, {}), 404, 'RUN_UNKNOWN');
    expect((await apiCalls()).slice(before)).toEqual([{ type: 'api_call', method: 'POST', path: '/api/runs/r-gone/cancel', token: null, role: null, status: 404 }]);
  });
});
