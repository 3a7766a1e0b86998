/**
 * Consumer feedback: `/api/assets/:name/feedback` (an asset's ratings, comments and reports with its
 * trust summary; submitting one) and `/api/feedback` (reports across assets for the overview;
 * acknowledging and resolving one). Submitting needs a viewer (consumers are viewers), moving a
 * report along an editor (see `roleNeeded`). Every change is an event in the log.
 */
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import {
  WeirError,
  apiRoles,
  didYouMean,
  feedbackKinds,
  feedbackProblem,
  feedbackStatuses,
  type AssetFeedbackBody,
  type FeedbackEvent,
  type FeedbackKind,
  type FeedbackListBody,
  type FeedbackQuery,
  type FeedbackStatus,
  type FeedbackStatusChangedEvent,
  type FeedbackSubmittedEvent,
} from '@weir/core';
import { roleNeeded } from '../auth.js';
import { feedbackBody, trustSummary } from '../feedback-trust.js';
import type { ProjectView } from '../project-view.js';
import { wholeNumberParam } from './whole-number-param.js';

/** `?status=` of `GET /api/feedback`: one status, `unresolved` (open or acknowledged, the default) or `all`. */
const listStatuses = [...feedbackStatuses, 'unresolved', 'all'] as const;

/**
 * The feedback routes, mounted at `/api`.
 *
 * @example
 * ```ts
 * app.route('/api', feedbackRoutes(view));
 * ```
 */
export function feedbackRoutes(view: ProjectView): Hono {
  const routes = new Hono();

  routes.get('/assets/:name/feedback', async (context) => {
    const asset = await knownAsset(view, context.req.param('name'));
    const limit = wholeNumberParam(context.req.query('limit'), 'limit', { fallback: 200, max: 1000 });
    // All of it for the summary: feedback is typed by people, an asset has hundreds at most.
    const records = await view.store.feedback({ asset });
    const body: AssetFeedbackBody = { asset, trust: trustSummary(records), items: records.slice(0, limit).map(feedbackBody), canChangeStatus: mayChangeStatus(context) };
    return context.json(body);
  });

  routes.post('/assets/:name/feedback', async (context) => {
    const asset = await knownAsset(view, context.req.param('name'));
    const fields = objectBody(await context.req.json().catch(() => undefined), ['kind', 'rating', 'text', 'author']);
    const kind = fields.kind;
    if (typeof kind !== 'string' || !feedbackKinds.includes(kind as FeedbackKind)) throw usage(`"kind" must be one of ${feedbackKinds.join(', ')}`);
    if (fields.text !== undefined && typeof fields.text !== 'string') throw usage('"text" must be a string');
    if (fields.author !== undefined && fields.author !== null && typeof fields.author !== 'string') throw usage('"author" must be a string');
    const token = context.get('caller')?.token ?? null;
    // With tokens the token's name signs the feedback; in local mode, the name the consumer gave.
    const given = typeof fields.author === 'string' ? fields.author.trim() : '';
    const event: FeedbackSubmittedEvent = {
      type: 'feedback_submitted',
      at: new Date().toISOString(),
      feedbackId: randomBytes(6).toString('hex'),
      asset,
      kind: kind as FeedbackKind,
      ...(fields.rating === undefined || fields.rating === null ? {} : { rating: fields.rating as number }),
      text: typeof fields.text === 'string' ? fields.text.trim() : '',
      author: token ?? (given === '' ? null : given),
    };
    await append(view, event);
    const [record] = await view.store.feedback({ feedbackId: event.feedbackId });
    return context.json(feedbackBody(record!), 201);
  });

  routes.get('/feedback', async (context) => {
    const status = context.req.query('status') ?? 'unresolved';
    if (!(listStatuses as readonly string[]).includes(status)) throw usage(`status must be one of ${listStatuses.join(', ')}, not "${status}"`);
    const limit = wholeNumberParam(context.req.query('limit'), 'limit', { fallback: 200, max: 1000 });
    const asset = context.req.query('asset');
    const query: FeedbackQuery = { kind: 'report', ...(asset === undefined ? {} : { asset }) };
    let records = await view.store.feedback(status === 'all' || status === 'unresolved' ? query : { ...query, status: status as FeedbackStatus, limit });
    if (status === 'unresolved') records = records.filter((record) => record.status !== 'resolved');
    const items = records.slice(0, limit).map(feedbackBody);
    // Whose move it is: the overview shows each report's owner beside it.
    const { assets } = await view.project();
    const owners = Object.fromEntries(items.map((item) => [item.asset, assets.get(item.asset)?.owner ?? null]));
    const body: FeedbackListBody = { items, owners, canChangeStatus: mayChangeStatus(context) };
    return context.json(body);
  });

  routes.post('/feedback/:id/status', async (context) => {
    const id = context.req.param('id');
    const fields = objectBody(await context.req.json().catch(() => undefined), ['status', 'note']);
    if (typeof fields.status !== 'string' || !feedbackStatuses.includes(fields.status as FeedbackStatus)) throw usage(`"status" must be one of ${feedbackStatuses.join(', ')}`);
    if (fields.note !== undefined && typeof fields.note !== 'string') throw usage('"note" must be a string');
    const [record] = await view.store.feedback({ feedbackId: id });
    if (record === undefined) throw new WeirError('FEEDBACK_UNKNOWN', `no feedback "${id}"`, { hint: 'list the open reports at /api/feedback' });
    if (record.kind !== 'report') throw usage(`feedback "${id}" is a ${record.kind}; only reports have a status`);
    const note = typeof fields.note === 'string' ? fields.note.trim() : '';
    const event: FeedbackStatusChangedEvent = {
      type: 'feedback_status_changed',
      at: new Date().toISOString(),
      feedbackId: id,
      asset: record.asset,
      status: fields.status as FeedbackStatus,
      ...(note === '' ? {} : { note }),
      by: context.get('caller')?.token ?? null,
    };
    await append(view, event);
    const [changed] = await view.store.feedback({ feedbackId: id });
    return context.json(feedbackBody(changed!));
  });

  return routes;
}

/** The asset's name when the project has it; otherwise 404 with the closest name. */
async function knownAsset(view: ProjectView, name: string): Promise<string> {
  const project = await view.project();
  if (project.assets.has(name)) return name;
  const hint = didYouMean(name, project.assets.keys());
  throw new WeirError('ASSET_UNKNOWN', `no asset "${name}" in this project`, hint ? { hint } : {});
}

/** Appends a feedback event after saying, as a 400, what is wrong with it (the store would refuse it as internal). */
async function append(view: ProjectView, event: FeedbackEvent): Promise<void> {
  const problem = feedbackProblem(event);
  if (problem !== undefined) throw usage(problem);
  await view.store.append([event]);
}

/** A JSON object body with only the `allowed` keys: a misspelt field is an error, not silently dropped. */
function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw usage('the request body must be a JSON object');
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw usage(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}; expected ${allowed.join(', ')}`);
  return body as Record<string, unknown>;
}

/** True when the caller's role may acknowledge and resolve reports (always in local mode). */
function mayChangeStatus(context: Context): boolean {
  const role = context.get('caller')?.role ?? null;
  return role === null || apiRoles.indexOf(role) >= apiRoles.indexOf(roleNeeded('POST', '/api/feedback/any/status'));
}

function usage(message: string): WeirError {
  return new WeirError('USAGE', message);
}
