/**
 * Consumer feedback over the API of `weir serve`, in-process against real storage (SQLite state):
 * ratings, comments and reports on an asset with its trust summary; reports tracked across assets
 * until resolved; malformed bodies refused with 400 and nothing written; unknown assets and ids
 * 404; and, with tokens, viewers submit (signed with their token's name) but only editors move a
 * report along, no token is 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetFeedbackBody, FeedbackBody, FeedbackListBody } from '@weir/core';
import { createApiToken } from '../../src/server/api-tokens.js';
import { roleNeeded } from '../../src/server/auth.js';
import { createServerApp } from '../../src/server/create-server-app.js';
import { openServerHarness, type ServerHarness } from './server-harness.js';
import { shopFiles } from '../e2e/shop-fixture.js';
import { createWeirProject, type WeirTestProject } from '../e2e/weir-test-project.js';

type App = ReturnType<typeof createServerApp>;

let project: WeirTestProject;
let server: ServerHarness;
let local: App;
let authApp: App;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  project = await createWeirProject(shopFiles());
  server = await openServerHarness(project.root);
  local = server.app;
  authApp = createServerApp({ hub: server.hub, view: server.view, health: server.health, auth: { required: true } });
  for (const role of ['viewer', 'editor'] as const) {
    tokens[role] = (await createApiToken(server.runtime.store, { name: `${role}-token`, role, by: 'test@host' })).token;
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

async function call<T>(app: App, method: string, path: string, options: { body?: unknown; raw?: string; token?: string; status: number }): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBe(options.status);
  return JSON.parse(text) as T;
}

const submit = (app: App, asset: string, body: unknown, status = 201, token?: string) =>
  call<FeedbackBody>(app, 'POST', `/api/assets/${asset}/feedback`, { body, status, ...(token === undefined ? {} : { token }) });
const setStatus = (app: App, id: string, body: unknown, status = 200, token?: string) =>
  call<FeedbackBody>(app, 'POST', `/api/feedback/${id}/status`, { body, status, ...(token === undefined ? {} : { token }) });
const errorOf = (body: unknown) => (body as { error: { code: string; message: string; hint?: string } }).error;
const eventCount = async () => (await server.runtime.store.events()).filter((event) => event.type.startsWith('feedback_')).length;

describe('feedback in local mode', () => {
  it('takes ratings, comments and reports and answers them newest first with the trust summary', async () => {
    const rating = await submit(local, 'revenue', { kind: 'rating', rating: 2, author: '  ann  ' });
    expect(rating).toMatchObject({ asset: 'revenue', kind: 'rating', rating: 2, text: '', author: 'ann', status: null });
    expect(rating.id).toMatch(/^[0-9a-f]{12}$/);
    await submit(local, 'revenue', { kind: 'comment', text: 'Revenue is before refunds.' });
    // Ann changes her mind: her newest rating replaces the old one; the unnamed one counts on its own.
    await submit(local, 'revenue', { kind: 'rating', rating: 4, text: 'better since the fix', author: 'ann' });
    await submit(local, 'revenue', { kind: 'rating', rating: 5 });
    const report = await submit(local, 'revenue', { kind: 'report', rating: 1, text: 'Customer 11 is missing its refund.' });
    expect(report).toMatchObject({ kind: 'report', status: 'open', author: null, statusBy: null });

    const page = await server.get<AssetFeedbackBody>('/api/assets/revenue/feedback');
    expect(page.items.map((item) => [item.kind, item.rating, item.author])).toEqual([
      ['report', 1, null],
      ['rating', 5, null],
      ['rating', 4, 'ann'],
      ['comment', null, null],
      ['rating', 2, 'ann'],
    ]);
    // Counted: 1 (report), 5, 4 (ann's newest); ann's 2 is replaced.
    expect(page.trust).toEqual({ average: 3.3, ratings: 3, distribution: [1, 0, 0, 1, 1], comments: 1, reports: 1, unresolvedReports: 1 });
    expect(page.canChangeStatus).toBe(true);
    expect((await server.get<AssetFeedbackBody>('/api/assets/revenue/feedback?limit=2')).items).toHaveLength(2);
    // An asset without feedback has an empty summary.
    expect((await server.get<AssetFeedbackBody>('/api/assets/calendar/feedback')).trust).toEqual({ average: null, ratings: 0, distribution: [0, 0, 0, 0, 0], comments: 0, reports: 0, unresolvedReports: 0 });
  });

  it('tracks reports across assets until resolved, with who and why', async () => {
    const late = await submit(local, 'orders', { kind: 'report', text: 'Yesterday\'s orders are not in.' });
    const listed = await server.get<FeedbackListBody>('/api/feedback');
    expect(listed.items.map((item) => item.asset)).toEqual(expect.arrayContaining(['orders', 'revenue']));
    expect(listed.items.every((item) => item.kind === 'report')).toBe(true);
    expect(listed.items[0]).toMatchObject({ id: late.id, status: 'open' });
    expect(listed.owners).toEqual({ orders: null, revenue: null });

    expect(await setStatus(local, late.id, { status: 'acknowledged' })).toMatchObject({ status: 'acknowledged', statusNote: null, statusBy: null });
    expect((await server.get<FeedbackListBody>('/api/feedback')).items.map((item) => item.id)).toContain(late.id);
    expect((await server.get<FeedbackListBody>('/api/feedback?status=open')).items.map((item) => item.id)).not.toContain(late.id);

    const resolved = await setStatus(local, late.id, { status: 'resolved', note: ' The loader ran again. ' });
    expect(resolved).toMatchObject({ status: 'resolved', statusNote: 'The loader ran again.' });
    expect(resolved.statusAt).not.toBeNull();
    expect((await server.get<FeedbackListBody>('/api/feedback')).items.map((item) => item.id)).not.toContain(late.id);
    expect((await server.get<FeedbackListBody>('/api/feedback?status=resolved')).items.map((item) => item.id)).toEqual([late.id]);
    expect((await server.get<FeedbackListBody>('/api/feedback?status=all&asset=orders')).items.map((item) => item.id)).toEqual([late.id]);
    expect((await server.get<AssetFeedbackBody>('/api/assets/orders/feedback')).trust.unresolvedReports).toBe(0);
    // Both changes are in the asset's event history.
    const history = await server.runtime.store.events({ asset: 'orders' });
    expect(history.filter((event) => event.type === 'feedback_status_changed').map((event) => (event as { status: string }).status)).toEqual(['acknowledged', 'resolved']);
  });

  it('refuses malformed bodies with 400 USAGE naming the problem, and writes nothing', async () => {
    const before = await eventCount();
    const cases: Array<[unknown, string]> = [
      [[1, 2], 'JSON object'],
      [{ kind: 'praise', text: 'hi' }, '"kind" must be one of rating, comment, report'],
      [{ text: 'no kind' }, '"kind"'],
      [{ kind: 'rating' }, 'a rating needs "rating"'],
      [{ kind: 'rating', rating: 6 }, '"rating" must be a whole number from 1 to 5'],
      [{ kind: 'rating', rating: 0 }, '"rating" must be a whole number from 1 to 5'],
      [{ kind: 'rating', rating: 3.5 }, '"rating" must be a whole number from 1 to 5'],
      [{ kind: 'rating', rating: '5' }, '"rating" must be a whole number from 1 to 5'],
      [{ kind: 'report', text: '   ' }, 'a report needs some "text"'],
      [{ kind: 'comment' }, 'a comment needs some "text"'],
      [{ kind: 'comment', text: 42 }, '"text" must be a string'],
      [{ kind: 'comment', text: 'x'.repeat(2001) }, 'at most 2000'],
      [{ kind: 'comment', text: 'hi', author: 'a'.repeat(101) }, '"author"'],
      [{ kind: 'comment', text: 'hi', raiting: 5 }, 'unknown field "raiting"'],
    ];
    for (const [body, message] of cases) {
      const error = errorOf(await call(local, 'POST', '/api/assets/orders/feedback', { body, status: 400 }));
      expect(error.code).toBe('USAGE');
      expect(error.message, JSON.stringify(body).slice(0, 80)).toContain(message);
    }
    expect(errorOf(await call(local, 'POST', '/api/assets/orders/feedback', { raw: '{not json', status: 400 })).code).toBe('USAGE');
    // The limit counts characters, not UTF-16 units: 2000 emoji are accepted.
    const emoji = await submit(local, 'calendar', { kind: 'comment', text: '📅'.repeat(2000) });
    expect([...emoji.text]).toHaveLength(2000);

    const { id: comment } = await submit(local, 'calendar', { kind: 'comment', text: 'fine' });
    const { id: report } = await submit(local, 'calendar', { kind: 'report', text: 'holidays missing' });
    const afterValid = await eventCount();
    expect(errorOf(await setStatus(local, report, { status: 'closed' }, 400)).message).toContain('"status" must be one of open, acknowledged, resolved');
    expect(errorOf(await setStatus(local, report, { status: 'resolved', note: 'n'.repeat(1001) }, 400)).message).toContain('at most 1000');
    expect(errorOf(await setStatus(local, report, { status: 'resolved', by: 'me' }, 400)).message).toContain('unknown field "by"');
    expect(errorOf(await setStatus(local, comment, { status: 'resolved' }, 400)).message).toContain('only reports have a status');
    expect(errorOf(await call(local, 'GET', '/api/feedback?status=closed', { status: 400 })).code).toBe('USAGE');
    expect(errorOf(await call(local, 'GET', '/api/assets/orders/feedback?limit=0', { status: 400 })).code).toBe('USAGE');
    expect(await eventCount()).toBe(afterValid);
    expect(afterValid).toBe(before + 3);
  });

  it('answers 404 for an unknown asset (with the closest name) and an unknown feedback id', async () => {
    for (const method of ['GET', 'POST']) {
      const error = errorOf(await call(local, method, '/api/assets/ordres/feedback', { ...(method === 'POST' ? { body: { kind: 'rating', rating: 3 } } : {}), status: 404 }));
      expect(error).toMatchObject({ code: 'ASSET_UNKNOWN', message: 'no asset "ordres" in this project' });
      expect(error.hint).toContain('"orders"');
    }
    const unknown = errorOf(await setStatus(local, 'f00d', { status: 'resolved' }, 404));
    expect(unknown).toMatchObject({ code: 'FEEDBACK_UNKNOWN', message: 'no feedback "f00d"' });
  });
});

describe('feedback with tokens', () => {
  it('needs a token: 401 without one, to read and to submit', async () => {
    expect(errorOf(await call(authApp, 'GET', '/api/assets/orders/feedback', { status: 401 })).code).toBe('UNAUTHORIZED');
    expect(errorOf(await call(authApp, 'POST', '/api/assets/orders/feedback', { body: { kind: 'rating', rating: 1 }, status: 401 })).code).toBe('UNAUTHORIZED');
    expect(errorOf(await call(authApp, 'GET', '/api/feedback', { status: 401 })).code).toBe('UNAUTHORIZED');
  });

  it('lets a viewer submit, signed with the token name, but not resolve (403); an editor resolves', async () => {
    expect([roleNeeded('POST', '/api/assets/orders/feedback'), roleNeeded('POST', '/api/feedback/abc/status')]).toEqual(['viewer', 'editor']);
    // A given author is not taken when a token says who is calling.
    const report = await submit(authApp, 'status_counts', { kind: 'report', text: 'counts double since Tuesday', author: 'someone else' }, 201, tokens.viewer);
    expect(report).toMatchObject({ author: 'viewer-token', status: 'open' });
    const viewerView = await call<AssetFeedbackBody>(authApp, 'GET', '/api/assets/status_counts/feedback', { token: tokens.viewer, status: 200 });
    expect(viewerView.canChangeStatus).toBe(false);
    expect((await call<FeedbackListBody>(authApp, 'GET', '/api/feedback', { token: tokens.editor, status: 200 })).canChangeStatus).toBe(true);

    const refused = errorOf(await setStatus(authApp, report.id, { status: 'resolved' }, 403, tokens.viewer));
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    expect(refused.message).toContain('needs an editor token');
    expect((await server.runtime.store.feedback({ feedbackId: report.id }))[0]?.status).toBe('open');

    const resolved = await setStatus(authApp, report.id, { status: 'resolved', note: 'deduplicated' }, 200, tokens.editor);
    expect(resolved).toMatchObject({ status: 'resolved', statusBy: 'editor-token', statusNote: 'deduplicated' });
    // Every mutating call is in the log with who made it, the refused one included.
    const calls = (await server.runtime.store.events()).filter((event) => event.type === 'api_call' && event.token !== null);
    expect(calls.map((event) => event.type === 'api_call' && [event.path, event.token, event.status])).toEqual([
      ['/api/assets/status_counts/feedback', 'viewer-token', 201],
      [`/api/feedback/${report.id}/status`, 'viewer-token', 403],
      [`/api/feedback/${report.id}/status`, 'editor-token', 200],
    ]);
  });
});
